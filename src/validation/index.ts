export * from './issue';
export * from './outcome';
