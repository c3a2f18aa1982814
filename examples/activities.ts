/**
 * The examples' TypeScript activities, registered by the worker (`JOBNET_ACTIVITIES`, unset:
 * this module; src/activities/registry.ts). Your own activities go in a module like this one:
 * every exported function is an activity a catalog job can name.
 */
export { billingSeed, billingCompany, simulatedCall } from './billing/activities';
