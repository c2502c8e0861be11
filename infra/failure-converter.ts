/**
 * Failure messages and stack traces are plain text in Temporal's history unless the failure
 * converter moves them into an encoded payload, which the payload codec then encrypts. Rejections
 * can quote what was wrong ("身份证号 … 已登记"), so they count as personal data too.
 *
 * Referenced by path, not imported: the worker loads it with `dataConverter.failureConverterPath`
 * and the workflow bundle must be built with the same `failureConverterPath`, because workflow
 * code turns its errors into failures inside the sandbox. Decoding still reads failures written
 * before (plain message fields), so existing histories replay.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
