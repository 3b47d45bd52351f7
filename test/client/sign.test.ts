import { describe, expect, it } from "vitest";
import { canonicalQuery, signRequest } from "../../provider/client/sign";

// The three published vectors: Huawei's documented signing example and the two of
// huaweicloud-sdk-go-v3 core/auth/signer/signer_test.go.
describe("SDK-HMAC-SHA256 published test vectors", () => {
  it("vector A: Huawei's documented GET", () => {
    const r = signRequest(
      {
        method: "GET",
        path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
        query: [
          ["limit", "2"],
          ["marker", "13551d6b-755d-4757-b956-536f674975c0"],
        ],
        headers: {
          "Content-Type": "application/json",
          Host: "service.region.example.com",
          "X-Sdk-Date": "20191115T033655Z",
        },
      },
      { accessKey: "QTWAOYTTINDUT2QVKYUC", secretKey: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc" },
    );
    expect(r.canonicalRequest).toBe(
      "GET\n/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\nlimit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n" +
        "content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n\n" +
        "content-type;host;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(r.authorization).toBe(
      "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, " +
        "Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
    );
  });

  it("vector B: Go SDK GET, header with underscore not signed", () => {
    const r = signRequest(
      {
        method: "GET",
        path: "/path",
        query: [["limit", "1"]],
        headers: { "X-Sdk-Date": "20060102T150405Z", TEST_UNDERSCORE: "TEST_VALUE" },
      },
      { accessKey: "AccessKey", secretKey: "SecretKey" },
    );
    expect(r.authorization).toBe(
      "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, " +
        "Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
    );
  });

  it("vector C: Go SDK POST with the encoder's trailing newline in the body", () => {
    const r = signRequest(
      {
        method: "POST",
        path: "/path",
        query: [["key", "value"]],
        headers: { "X-Sdk-Date": "20060102T150405Z", TEST_UNDERSCORE: "TEST_VALUE" },
        body: '{"Name":"test","Id":1}\n',
      },
      { accessKey: "AccessKey", secretKey: "SecretKey" },
    );
    expect(r.authorization).toBe(
      "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, " +
        "Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
    );
  });

  it("canonical query of the Go SDK test", () => {
    expect(
      canonicalQuery([
        ["test", "一 (&=?!#%.*)"],
        ["path", "/tmp/123"],
        ["multi", "3"],
        ["multi", "1"],
        ["multi", "2"],
        ["limit", "1"],
        ["enable", "true"],
      ]),
    ).toBe(
      "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29",
    );
  });
});
