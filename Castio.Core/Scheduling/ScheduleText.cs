using System.Globalization;
using NodaTime;

namespace Castio.Core.Scheduling;

/// <summary>How scheduling times read and print on the wire: UTC ends in Z, local has no offset.</summary>
public static class ScheduleText
{
    private static readonly string[] LocalFormats = ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF"];

    /// <summary>The earliest and latest years a schedule may name; anything outside is a typo, not a plan.</summary>
    public const int MinYear = 2000;
    public const int MaxYear = 2199;

    public static string Utc(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Local(DateTime value) => value.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A local date-time without offset ("2026-01-05T09:00:00"); null when it is not one.</summary>
    public static DateTime? ParseLocal(string? text) =>
        text is not null
        && DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
        && value.Year is >= MinYear and <= MaxYear
            ? DateTime.SpecifyKind(value, DateTimeKind.Unspecified)
            : null;

    /// <summary>An ISO 8601 date-time that carries its offset (Z or ±hh:mm); null otherwise.</summary>
    public static DateTimeOffset? ParseWithOffset(string? text)
    {
        if (text is null || text.Length < 20 || !(text.EndsWith('Z') || text.EndsWith("z") || text[^6] is '+' or '-'))
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
            && value.Year is >= MinYear and <= MaxYear ? value : null;
    }

    /// <summary>True for an IANA time zone id the tz database knows ("Europe/London", "UTC").</summary>
    public static bool IsTimeZone(string? id) => id is { Length: > 0 and <= 64 } && DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) is not null;

    /// <summary>The local wall-clock time of an instant in an IANA zone.</summary>
    public static DateTime ToLocal(DateTimeOffset instant, string timeZone) =>
        Instant.FromDateTimeOffset(instant).InZone(DateTimeZoneProviders.Tzdb[timeZone]).LocalDateTime.ToDateTimeUnspecified();

    /// <summary>
    /// The instant of a local wall-clock time in an IANA zone: a time in a DST gap moves forward by
    /// the gap, an ambiguous one takes the earlier instant (RFC 5545's reading).
    /// </summary>
    public static DateTimeOffset ToUtc(DateTime local, string timeZone) =>
        LocalDateTime.FromDateTime(local).InZoneLeniently(DateTimeZoneProviders.Tzdb[timeZone]).ToDateTimeOffset().ToUniversalTime();
}
