import { storeContract } from './store.contract';

describe.each(['sqlite', 'postgres'] as const)('GatewayStore on %s', (engine) => {
  storeContract(engine);
});
