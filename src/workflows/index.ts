export { jobWorkflow } from './job';
export { scheduledRunWorkflow } from './scheduled';
