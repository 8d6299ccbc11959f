using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Castio.Core.Common;
using Castio.Core.Orgs;

namespace Castio.Core.Meetings;

/// <summary>The bounds of every meeting field, in one place.</summary>
public static class MeetingRules
{
    public const int MaxTitleLength = 200;
    public const int MaxDescriptionLength = 4000;
    public const int SlugLength = 10;
    public const int MinVanityLength = 3;
    public const int MaxVanityLength = 40;
    public const int MaxDurationMinutes = 24 * 60;

    private const string SlugAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static readonly SearchValues<char> VanityChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    /// <summary>A random join slug: 10 lower-case letters and digits (36^10 ≈ 3.7e15 values).</summary>
    public static string NewSlug() => new(RandomNumberGenerator.GetItems<char>(SlugAlphabet, SlugLength));

    public static string NormalizeSlug(string? slug) => (slug ?? "").Trim().ToLowerInvariant();

    /// <summary>A join-link slug as typed in a URL: the shape of a meeting slug or a vanity slug.</summary>
    public static bool IsSlugShaped(string slug) => CheckVanity(slug) is null;

    public static string? CheckVanity(string slug)
    {
        if (slug.Length is < MinVanityLength or > MaxVanityLength)
        {
            return $"Vanity slug must be {MinVanityLength} to {MaxVanityLength} characters.";
        }

        if (slug.AsSpan().IndexOfAnyExcept(VanityChars) >= 0)
        {
            return "Vanity slug may contain only lower-case letters, digits and hyphens.";
        }

        return slug[0] == '-' || slug[^1] == '-' || slug.Contains("--", StringComparison.Ordinal)
            ? "Vanity slug must start and end with a letter or digit and not contain '--'."
            : null;
    }

    public static string? CheckTitle(string title) =>
        title.Length == 0 ? "Title is required."
        : title.Length > MaxTitleLength ? $"Title must be at most {MaxTitleLength} characters."
        : title.Any(char.IsControl) ? "Title must not contain control characters."
        : null;

    /// <summary>An ISO 8601 date-time that carries its offset (Z or ±hh:mm); null when it does not parse.</summary>
    public static DateTimeOffset? ParseInstant(string value)
    {
        var hasOffset = value.EndsWith('Z') || value.EndsWith('z')
            || (value.Length > 6 && value[^6] is '+' or '-' && value[^3] == ':');
        return hasOffset && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            ? parsed.ToUniversalTime()
            : null;
    }

    /// <summary>Checks the fields that do not depend on the schedule (the schedule has its own rules).</summary>
    public static void CheckCommon(MeetingInput input, OrgSettings org, FieldErrors errors, bool creating)
    {
        if (creating || input.Title is not null)
        {
            errors.AddIf("title", CheckTitle((input.Title ?? "").Trim()));
        }

        if (input.Description is { Length: > MaxDescriptionLength })
        {
            errors.Add("description", $"Description must be at most {MaxDescriptionLength} characters.");
        }

        if (input.MeetingType is not null && !MeetingTypes.All.Contains(input.MeetingType))
        {
            errors.Add("meetingType", "Meeting type must be one of: " + string.Join(", ", MeetingTypes.All) + ".");
        }

        if (input.GuestAccess is not null && !GuestAccess.All.Contains(input.GuestAccess) && !(input.GuestAccess == Inherit && !creating))
        {
            errors.Add("guestAccess", "Guest access must be one of: disabled, link_only, open" + (creating ? " (or null to inherit the org's)." : ", inherit."));
        }

        if (input.MemberAccess is not null && !MemberAccess.All.Contains(input.MemberAccess))
        {
            errors.Add("memberAccess", "Member access must be one of: org, invited.");
        }

        if (input.MaxParticipants is { } max && (max < 2 || max > org.MaxParticipantsPerMeeting))
        {
            errors.Add("maxParticipants", $"Max participants must be between 2 and {org.MaxParticipantsPerMeeting} (the org's cap).");
        }
    }

    /// <summary>In a PATCH, <c>guestAccess: "inherit"</c> clears the meeting's own setting.</summary>
    public const string Inherit = "inherit";
}
