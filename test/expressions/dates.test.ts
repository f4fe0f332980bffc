import { describe, expect, it } from "vitest";
import { render } from "../../worker/expressions";

// Kestra's DateFilterTest: NOW = 2013-09-08T16:19:12.123456+01.
const vars = {
  zoned: "2013-09-08T16:19:12.123456+01:00",
  instant: "2013-09-08T15:19:12.123456Z",
  local: "2013-09-08T16:19:12.123456",
  epoch: 1378653552,
};

const cases: [string, string][] = [
  ["{{ epoch | date(format='iso', timeZone='Europe/Paris') }}", "2013-09-08T17:19:12.000000+02:00"],
  ['{{ instant | date(format="iso_sec", timeZone="Europe/Paris") }}', "2013-09-08T17:19:12+02:00"],
  ['{{ zoned | date(format="iso", timeZone="Europe/Paris") }}', "2013-09-08T17:19:12.123456+02:00"],
  [
    '{{ local | date(format="yyyy-MM-dd HH:mm:ss.SSSSSSXXX", timeZone="Europe/Paris") }}',
    "2013-09-08 16:19:12.123456+02:00",
  ],
  ['{{ local | date(format="yyyy-MM-dd HH:mm:ss.SSSSSSXXX", timeZone="UTC") }}', "2013-09-08 16:19:12.123456Z"],
  ['{{ "July 24, 2001" | date("yyyy-MM-dd", existingFormat="MMMM dd, yyyy") }}', "2001-07-24"],
  ['{{ "2013-09-08T17:19:12+02:00" | date(timeZone="Europe/Paris") }}', "2013-09-08T17:19:12.000000+02:00"],
  ['{{ "2013-09-08T17:19:12" | date(timeZone="Europe/Paris") }}', "2013-09-08T17:19:12.000000+02:00"],
  ['{{ "2013-09-08" | date(timeZone="Europe/Paris") }}', "2013-09-08T00:00:00.000000+02:00"],
  ['{{ zoned | timestamp(timeZone="Europe/Paris") }}', "1378653552"],
  ["{{ (zoned | timestamp) > (zoned | dateAdd(-1, 'DAYS') | timestamp) }}", "true"],
  [
    "{{ 'Tue, 08 Feb 2022 19:38:26 GMT' | date(existingFormat='rfc_1123_date_time', timeZone=\"Europe/Paris\") }}",
    "2022-02-08T20:38:26.000000+01:00",
  ],
  ['{{ zoned | timestampNano(timeZone="Europe/Paris") }}', "1378653552123456000"],
  ['{{ zoned | timestampMicro(timeZone="Europe/Paris") }}', "1378653552000123456"],
  ['{{ zoned | timestampMilli(timeZone="Europe/Paris") }}', "1378653552123"],
  ['{{ zoned | dateAdd(-1,"DAYS",timeZone="Europe/Paris")}}', "2013-09-07T17:19:12.123456+02:00"],
  // Other Java patterns and named formats.
  ["{{ zoned | date('EEE, d MMM yyyy', timeZone='UTC') }}", "Sun, 8 Sep 2013"],
  ["{{ zoned | date('EEEE dd MMMM yy HH:mm:ss.SSS Z', timeZone='UTC') }}", "Sunday 08 September 13 15:19:12.123 +0000"],
  ["{{ zoned | date('hh:mm a', timeZone='America/New_York') }}", "11:19 AM"],
  ["{{ zoned | date('iso_instant') }}", "2013-09-08T15:19:12.123456Z"],
  ["{{ zoned | date('iso_local_date', timeZone='Asia/Tokyo') }}", "2013-09-09"],
  ["{{ zoned | date('iso_date_time', timeZone='Europe/Paris') }}", "2013-09-08T17:19:12.123456+02:00[Europe/Paris]"],
  ["{{ zoned | date('iso_offset_time', timeZone='+05:30') }}", "20:49:12.123456+05:30"],
  ["{{ zoned | date('sql', timeZone='UTC') }}", "2013-09-08 15:19:12.123456"],
  ["{{ zoned | date('rfc_1123_date_time', timeZone='UTC') }}", "Sun, 8 Sep 2013 15:19:12 GMT"],
  ["{{ zoned | date('iso_week_date', timeZone='UTC') }}", "2013-W36-7Z"],
  ["{{ zoned | date(\"yyyy-MM-dd'T'HH'h'\", timeZone='UTC') }}", "2013-09-08T15h"],
  ["{{ '2024-01-31' | dateAdd(1, 'MONTHS', format='iso_local_date') }}", "2024-02-29"],
  ["{{ '2024-03-30T12:00:00' | dateAdd(1, 'DAYS', timeZone='Europe/Paris') }}", "2024-03-31T12:00:00.000000+02:00"],
  ["{{ '2024-01-01T00:00:00Z' | dateAdd(90, 'MINUTES', format='HH:mm') }}", "01:30"],
  ["{{ now(format='yyyy') | number > 2000 }}", "true"],
];

describe("date filters (Kestra DateFilterTest vectors and Java patterns)", () => {
  for (const [template, expected] of cases) {
    it(`renders ${template} as ${expected}`, async () => {
      expect(await render(template, vars)).toBe(expected);
    });
  }

  it("formats now() from the injected clock", async () => {
    const services = { now: () => new Date("2020-02-02T10:00:00.5Z") };
    expect(await render("{{ now() }}", {}, services)).toBe("2020-02-02T10:00:00.500000Z");
    expect(await render("{{ now(timeZone='Europe/Lisbon', format='HH:mm') }}", {}, services)).toBe("10:00");
  });

  it("rejects unknown zones and unparseable dates with a RenderError", async () => {
    await expect(render("{{ zoned | date(timeZone='Mars/Base') }}", vars)).rejects.toThrow("Unknown time zone");
    await expect(render("{{ 'yesterday' | date }}", vars)).rejects.toThrow("could not be parsed");
    await expect(render("{{ zoned | date('yyyy-bb') }}", vars)).rejects.toThrow("Unknown pattern letter");
  });
});
