export * from './errors/index.js';
export * from './events/index.js';
export * from './names/index.js';
export * from './schema/openapi.js';
export * from './spec/normalize.js';
export * from './spec/types.js';
export * from './status/index.js';
export * from './spec/from-object.js';
