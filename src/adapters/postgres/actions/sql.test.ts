import { describe, expect, it } from "vitest";
import { sql } from "./sql.js";

describe("postgres.sql", () => {
  it.each([
    ["ANALYZE   orders\n", "run SQL: ANALYZE orders"],
    ["CREATE ROLE app LOGIN PASSWORD 'it''s s3cret'", "run SQL: CREATE ROLE app LOGIN PASSWORD '***'"],
    ["ALTER ROLE app PASSWORD $$s3cret$$", "run SQL: ALTER ROLE app PASSWORD '***'"],
    [
      "SELECT dblink_connect('host=db password=s3cret')",
      "run SQL: SELECT dblink_connect('host=db password=***')",
    ],
    ["SELECT 'postgres://u:s3cret@h/d'", "run SQL: SELECT 'postgres://u:***@h/d'"],
  ])("describes %j without secrets", (text, description) => {
    expect(sql.describe(sql.params.parse({ sql: text }))).toBe(description);
  });

  it("is flagged as complex, with no automatic inverse", () => {
    const params = sql.params.parse({ sql: "SELECT 1" });
    expect(sql.hasInverse(params)).toBe(false);
    expect(sql.risk(params).complexity).toBeGreaterThanOrEqual(0.8);
    expect(sql.inverse(params)).toEqual({ manual: expect.stringMatching(/another postgres.sql/) });
  });

  it("scores a script that destroys data above the approval threshold", () => {
    const composite = (text: string) => {
      const r = sql.risk(sql.params.parse({ sql: text }));
      return (
        0.3 * r.complexity +
        0.3 * r.blast_radius +
        0.2 * r.reversibility_difficulty +
        0.2 * r.data_sensitivity
      );
    };
    expect(composite("ANALYZE users")).toBeLessThan(0.7);
    expect(composite("TRUNCATE payments")).toBeGreaterThan(0.7);
    expect(composite("SELECT 1; DROP TABLE users")).toBeGreaterThan(0.7);
  });
});
