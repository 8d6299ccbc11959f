using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Castio.Core.Scheduling;
using Castio.LocalHost;

namespace Castio.Tests.Scheduling;

/// <summary>
/// Recurrence (Ical.Net) against an independent expander: rrule.js 2.8.1 with its tzid support, run by
/// node from the repo's npm dev tools. Each case crosses a DST change of its zone (or pins a zone
/// without DST); both the instants and the wall-clock times must match.
/// </summary>
public class RecurrenceReferenceTests
{
    public sealed record Case(string Id, string Rrule, string Dtstart, string Timezone, int Take, string[]? Exdates = null);

    public static readonly Case[] Cases =
    [
        // Fall back in the US: 09:00 stays 09:00 (13:00Z → 14:00Z).
        new("ny-weekly-mwf", "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=12", "2026-10-23T09:00:00", "America/New_York", 20),
        // Ordinal BYDAY across the UK spring change.
        new("london-2nd-tuesday", "FREQ=MONTHLY;BYDAY=2TU;COUNT=6", "2026-01-13T09:00:00", "Europe/London", 10),
        // Negative BYMONTHDAY in the southern hemisphere (DST ends in April, starts in October).
        new("sydney-last-day", "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=11", "2026-01-31T18:00:00", "Australia/Sydney", 20),
        new("sydney-minus3-and-15th", "FREQ=MONTHLY;BYMONTHDAY=-3,15;COUNT=14", "2026-02-15T07:30:00", "Australia/Sydney", 20),
        // No DST at all: the offset never moves.
        new("kolkata-every-3-days", "FREQ=DAILY;INTERVAL=3;COUNT=10", "2026-03-01T10:00:00", "Asia/Kolkata", 20),
        new("kolkata-1st-and-3rd-monday", "FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=6", "2026-01-05T15:00:00", "Asia/Kolkata", 10),
        // UNTIL in UTC, every other Thursday through both New Zealand changes.
        new("auckland-fortnightly-until", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;UNTIL=20261231T000000Z", "2026-03-05T10:30:00", "Pacific/Auckland", 40),
        new("auckland-31st", "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=6", "2026-01-31T08:00:00", "Pacific/Auckland", 10),
        // Last Friday, and the last weekday of the month through BYSETPOS.
        new("ny-last-friday", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=12", "2026-01-30T16:00:00", "America/New_York", 20),
        new("london-last-weekday-setpos", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=8", "2026-01-30T17:00:00", "Europe/London", 10),
        new("chicago-2nd-and-last-wed-setpos", "FREQ=MONTHLY;BYDAY=WE;BYSETPOS=2,-1;UNTIL=20261201T000000Z", "2026-01-14T12:00:00", "America/Chicago", 40),
        // WKST changes which days an INTERVAL=2 week holds (RFC 5545's own example pattern).
        new("berlin-wkst-mo", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU;WKST=MO;COUNT=8", "2026-03-02T08:00:00", "Europe/Berlin", 10),
        new("berlin-wkst-su", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU;WKST=SU;COUNT=8", "2026-03-02T08:00:00", "Europe/Berlin", 10),
        // The DST change days themselves, yearly.
        new("london-dst-sundays", "FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU;COUNT=6", "2026-03-29T09:00:00", "Europe/London", 10),
        new("la-2nd-sunday-march", "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU;COUNT=4", "2026-03-08T10:00:00", "America/Los_Angeles", 10),
        // Southern hemisphere, South America.
        new("santiago-saturdays", "FREQ=WEEKLY;BYDAY=SA;COUNT=10", "2026-03-28T09:00:00", "America/Santiago", 20),
        // Exceptions (EXDATE), one of them on the US spring-forward Sunday.
        new("ny-daily-exdates", "FREQ=DAILY;COUNT=10", "2026-03-05T09:00:00", "America/New_York", 20, ["2026-03-07T09:00:00", "2026-03-08T09:00:00"]),
        // A local time that does not exist on the spring-forward day reads with the offset before the gap.
        new("ny-daily-in-the-gap", "FREQ=DAILY;COUNT=4", "2026-03-06T02:30:00", "America/New_York", 10),
        // No end: the first N.
        new("sydney-weekdays-open", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "2026-03-30T08:45:00", "Australia/Sydney", 15),
    ];

    /// <summary>
    /// Where rrule.js departs from RFC 5545, the RFC's answer computed by hand. RFC 5545 3.3.5: a local
    /// time that occurs twice (the fall-back hour) means its first occurrence; rrule.js takes the second.
    /// 01:30 London on 25 Oct 2026 is 00:30Z (BST), not 01:30Z (GMT).
    /// </summary>
    private static readonly Case AmbiguousHour = new("london-daily-in-the-fold", "FREQ=DAILY;COUNT=3", "2026-10-24T01:30:00", "Europe/London", 5);

    private static readonly string[] AmbiguousHourExpected = ["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"];

    [Fact]
    public void AgreesWithRruleJsOnEveryReferenceCase()
    {
        var reference = RunReference([.. Cases, AmbiguousHour]);
        Assert.True(Cases.Length >= 10);
        var failures = new List<string>();
        foreach (var c in Cases)
        {
            var actual = Expand(c).Select(o => $"{ScheduleText.Utc(o.StartUtc)} {ScheduleText.Local(o.StartLocal)}").ToArray();
            var expected = reference[c.Id]!.AsArray().Select(o => $"{(string)o!["startUtc"]!} {(string)o["startLocal"]!}").ToArray();
            if (expected.Length == 0 || !actual.SequenceEqual(expected))
            {
                failures.Add($"{c.Id}:\n  expected {string.Join(", ", expected)}\n  actual   {string.Join(", ", actual)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void TheAmbiguousHourIsItsFirstOccurrenceAsRfc5545SaysWhereRruleJsTakesTheSecond()
    {
        var reference = RunReference([AmbiguousHour]);

        var actual = Expand(AmbiguousHour).Select(o => ScheduleText.Utc(o.StartUtc)).ToArray();

        Assert.Equal(AmbiguousHourExpected, actual);
        // The documented disagreement: if rrule.js ever follows the RFC here, this case can join the others.
        Assert.Equal("2026-10-25T01:30:00Z", (string?)reference[AmbiguousHour.Id]![1]!["startUtc"]);
    }

    [Fact]
    public void NineOClockStaysNineOClockAcrossEveryChange()
    {
        var recurrence = Recurrence.Create("FREQ=WEEKLY;BYDAY=MO", "2026-01-05T09:00:00", "Europe/London").Value;

        var year = recurrence.Take(52);

        Assert.All(year, o => Assert.Equal(new TimeOnly(9, 0), TimeOnly.FromDateTime(o.StartLocal)));
        Assert.Equal(2, year.Select(o => o.StartUtc.UtcDateTime.Hour).Distinct().Count());
    }

    private static IReadOnlyList<OccurrenceTime> Expand(Case c) =>
        Recurrence.Create(c.Rrule, c.Dtstart, c.Timezone, c.Exdates).Value.Take(c.Take);

    private static JsonObject RunReference(IEnumerable<Case> cases)
    {
        var root = AzuriteProcess.FindRepoRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("No repo root above " + AppContext.BaseDirectory);
        var module = Path.Combine(root, "node_modules", "rrule");
        Assert.True(Directory.Exists(module), "rrule.js is missing: run `npm ci` in the repository root.");
        var script = Path.Combine(root, "Castio.Tests", "Scheduling", "rrule-reference.js");
        var start = new ProcessStartInfo("node", [script, module])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // rrule.js returns tzid results as instants only when the process itself runs on UTC.
        start.Environment["TZ"] = "UTC";
        using var node = Process.Start(start)!;
        var input = cases.Select(c => new
        {
            id = c.Id,
            rrule = c.Rrule,
            dtstart = Compact(c.Dtstart),
            timezone = c.Timezone,
            exdates = (c.Exdates ?? []).Select(Compact),
            take = c.Take,
        });
        node.StandardInput.Write(JsonSerializer.Serialize(input));
        node.StandardInput.Close();
        var output = node.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = node.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        node.WaitForExit(30_000);
        Assert.True(node.ExitCode == 0, "node failed: " + errors.Result);
        return JsonNode.Parse(output.Result)!.AsObject();
    }

    private static string Compact(string local) => local.Replace("-", "").Replace(":", "");
}
