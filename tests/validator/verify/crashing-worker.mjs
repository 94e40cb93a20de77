// Test worker for WorkerPoolVerifier: behaves like the real one, except that it kills its own
// thread on receiving a job while the shared crash budget (workerData.crashes) lasts. A budget
// of 1 kills exactly one worker; a budget of N kills the next N workers that get a job.
// Static imports evaluate in order, so the crash listener is registered before the real one.
import "./crash-on-job.mjs";
import "../../../validator/verify/verify-worker.mjs";
