/**
 * The conformance suite against a real MongoDB, when MONGODB_URI names one (no server can be installed on
 * the project's machines; see the README). Each test gets its own database, dropped afterwards.
 *   MONGODB_URI=mongodb://127.0.0.1:27017 npx vitest run packages/store/test/mongo-store.test.ts
 */
import { MongoClient } from 'mongodb';
import { describe } from 'vitest';
import { mongoUriWithDatabase } from '../src/mongo-uri';
import { describeExperimentStore } from '../src/testing/store-conformance';

const uri = process.env.MONGODB_URI;
let counter = 0;

describe.skipIf(!uri)('MongoDB adapter (MONGODB_URI)', () => {
  describeExperimentStore('mongodb', {
    newLocation: async () =>
      mongoUriWithDatabase(uri as string, `vf_conformance_${process.pid}_${counter++}`),
    dispose: async (spec) => {
      const client = new MongoClient(spec);
      try {
        await client.connect();
        await client.db().dropDatabase();
      } finally {
        await client.close();
      }
    },
  });
});
