export { jobWorkflow } from './job';
export { scheduledRunWorkflow } from './scheduled';
export { refreshSchedulesWorkflow } from './refresh';
export { jobnetWorkflow } from './jobnet';
export { lockWorkflow } from './lock';
export { gateWorkflow } from './gate';
export { notifyWorkflow } from './notify';
