export { callback, choice, fail, from, map, pass, succeed, task, wait, when, type State } from './states.js';
export { machine, renderMachine, aslText, type MachineDescription, type FunctionTable } from './machine.js';
export { retryFor, LAMBDA_SERVICE_ERRORS, LAMBDA_RETRY, ALL_ERRORS } from './errors.js';
