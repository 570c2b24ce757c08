export * from './playlist';
export * from './urls';
export * from './validate';
