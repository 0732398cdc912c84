export * from './contract';
export * from './result';
export * from './fields';
export * from './privileges';
export * from './users';
export * from './auth';
export * from './events';
export * from './pki';
