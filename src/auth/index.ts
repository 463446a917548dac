/** Authentication and authorization: SMART Backend Services for regional systems (smart/). */
export * from './smart';
