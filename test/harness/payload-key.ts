/**
 * The tests' payload key: fixed (not a secret), so every process of a run, and the replay test,
 * reads what any test wrote; histories recorded by the beds (npm run record-histories) are
 * encrypted with it. Everything the tests send through Temporal is encrypted as in production.
 */
import { AesGcmPayloadCodec, encryptedDataConverter } from '../../infra/payload-codec';
import { parsePayloadKeys } from '../../infra/payload-keys';

export const TEST_PAYLOAD_KEYS = 'test-2041:c2tpbGxjZXJ0LXRlc3QtcGF5bG9hZC1rZXktMzJieXQ=';
export const testCodec = new AesGcmPayloadCodec(parsePayloadKeys(TEST_PAYLOAD_KEYS).keys);
/** for every client and worker a test makes itself */
export const testDataConverter = encryptedDataConverter(testCodec);
