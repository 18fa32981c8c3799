import { describe, expect, it } from "vitest";
import { clientAddress } from "../../worker/lib/clientAddress";

describe("clientAddress: what a client is counted by", () => {
  it.each([
    ["198.51.100.7", "4:198.51.100.7"],
    [" 198.51.100.7 ", "4:198.51.100.7"],
    ["010.001.000.009", "4:10.1.0.9"],
    ["2001:db8:1:2::1", "6:2001:db8:1:2::/64"],
    ["2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd", "6:2001:db8:1:2::/64"],
    ["2001:db8::", "6:2001:db8:0:0::/64"],
    ["::1", "6:0:0:0:0::/64"],
    ["[2001:db8:1:2::9]", "6:2001:db8:1:2::/64"],
    ["fe80::1%eth0", "6:fe80:0:0:0::/64"],
    ["::ffff:198.51.100.7", "4:198.51.100.7"],
    ["::FFFF:c633:6407", "4:198.51.100.7"],
    ["0:0:0:0:0:ffff:198.51.100.7", "4:198.51.100.7"],
    ["64:ff9b::198.51.100.7", "6:64:ff9b:0:0::/64"],
  ])("%s -> %s", (raw, want) => {
    expect(clientAddress(raw)).toBe(want);
  });

  it("every address of one /64 is one client; the next /64 is another", () => {
    const inside = ["2001:db8:1:2::1", "2001:db8:1:2:8000::ffff", "2001:db8:1:2:dead:beef:0:1"].map(clientAddress);
    expect(new Set(inside).size).toBe(1);
    expect(clientAddress("2001:db8:1:3::1")).not.toBe(inside[0]);
  });

  it.each([null, "", "unknown", "256.1.1.1", "1.2.3", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::1", "::ffff:300.1.1.1"])(
    "%j -> unknown (one shared budget)",
    (raw) => {
      expect(clientAddress(raw)).toBe("unknown");
    },
  );
});
