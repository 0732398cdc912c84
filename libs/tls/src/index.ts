export * from './server-options';
export * from './tls-identity';
