import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import { storeContract } from '../adapters/store-contract.js';

storeContract('MemoryStore', async () => ({ store: new MemoryStore(), close: async () => {} }));
