using System.Globalization;
using Castio.Core.Common;

namespace Castio.Core.Orgs;

/// <summary>
/// Org-wide configuration: theme and brand colour, meeting defaults, the guest access default
/// (a meeting may override it), capacity caps and phone-home diagnostics.
/// </summary>
public sealed record OrgSettings(
    string BrandColor,
    string Theme,
    string DefaultMeetingType,
    int MaxMeetingDurationMinutes,
    int MaxParticipantsPerMeeting,
    int MaxConcurrentMeetings,
    string GuestAccessDefault,
    bool WaitingRoomDefault,
    bool TranscriptionDefault,
    bool PhoneHomeEnabled)
{
    public static OrgSettings Defaults { get; } = new(
        BrandColor: "#2563EB",
        Theme: "dark",
        DefaultMeetingType: "video",
        MaxMeetingDurationMinutes: 480,
        MaxParticipantsPerMeeting: 100,
        MaxConcurrentMeetings: 25,
        GuestAccessDefault: GuestAccess.LinkOnly,
        WaitingRoomDefault: true,
        TranscriptionDefault: false,
        // Phone-home is on by default; the org may switch it off.
        PhoneHomeEnabled: true);
}

/// <summary>A partial update: null leaves a field as it is.</summary>
public sealed record OrgSettingsPatch(
    string? Name = null,
    string? BrandColor = null,
    string? Theme = null,
    string? DefaultMeetingType = null,
    int? MaxMeetingDurationMinutes = null,
    int? MaxParticipantsPerMeeting = null,
    int? MaxConcurrentMeetings = null,
    string? GuestAccessDefault = null,
    bool? WaitingRoomDefault = null,
    bool? TranscriptionDefault = null,
    bool? PhoneHomeEnabled = null);

public static class GuestAccess
{
    public const string Disabled = "disabled";
    public const string LinkOnly = "link_only";
    public const string Open = "open";
    public static readonly IReadOnlyList<string> All = [Disabled, LinkOnly, Open];
}

/// <summary>The bounds of every settings field, in one place.</summary>
public static class OrgSettingsRules
{
    public static readonly IReadOnlyList<string> Themes = ["light", "dark", "darkest"];
    public static readonly IReadOnlyList<string> MeetingTypes = ["video", "audio", "webinar", "livestream"];

    // A meeting lasts at most 24 hours.
    public const int MaxMeetingDurationMinutes = 24 * 60;
    // UNVERIFIED: RTK's own participant ceiling per meeting is not documented; 1,000 is our cap.
    public const int MaxParticipantsPerMeeting = 1000;
    public const int MaxConcurrentMeetings = 1000;

    public static FieldErrors Validate(OrgSettingsPatch patch)
    {
        var errors = new FieldErrors();
        if (patch.Name is not null)
        {
            errors.AddIf("name", DisplayName.Check(DisplayName.Normalize(patch.Name), "Name"));
        }

        if (patch.BrandColor is not null && !IsHexColor(patch.BrandColor))
        {
            errors.Add("brandColor", "Brand colour must be a hex colour like #2563EB.");
        }

        if (patch.Theme is not null && !Themes.Contains(patch.Theme))
        {
            errors.Add("theme", "Theme must be one of: " + string.Join(", ", Themes) + ".");
        }

        if (patch.DefaultMeetingType is not null && !MeetingTypes.Contains(patch.DefaultMeetingType))
        {
            errors.Add("defaultMeetingType", "Meeting type must be one of: " + string.Join(", ", MeetingTypes) + ".");
        }

        if (patch.MaxMeetingDurationMinutes is < 1 or > MaxMeetingDurationMinutes)
        {
            errors.Add("maxMeetingDurationMinutes", $"Must be between 1 and {MaxMeetingDurationMinutes}.");
        }

        if (patch.MaxParticipantsPerMeeting is < 2 or > MaxParticipantsPerMeeting)
        {
            errors.Add("maxParticipantsPerMeeting", $"Must be between 2 and {MaxParticipantsPerMeeting}.");
        }

        if (patch.MaxConcurrentMeetings is < 1 or > MaxConcurrentMeetings)
        {
            errors.Add("maxConcurrentMeetings", $"Must be between 1 and {MaxConcurrentMeetings}.");
        }

        if (patch.GuestAccessDefault is not null && !GuestAccess.All.Contains(patch.GuestAccessDefault))
        {
            errors.Add("guestAccessDefault", "Guest access must be one of: disabled, link_only, open.");
        }

        return errors;
    }

    public static OrgSettings Apply(OrgSettings current, OrgSettingsPatch patch) => current with
    {
        BrandColor = patch.BrandColor?.ToUpperInvariant() ?? current.BrandColor,
        Theme = patch.Theme ?? current.Theme,
        DefaultMeetingType = patch.DefaultMeetingType ?? current.DefaultMeetingType,
        MaxMeetingDurationMinutes = patch.MaxMeetingDurationMinutes ?? current.MaxMeetingDurationMinutes,
        MaxParticipantsPerMeeting = patch.MaxParticipantsPerMeeting ?? current.MaxParticipantsPerMeeting,
        MaxConcurrentMeetings = patch.MaxConcurrentMeetings ?? current.MaxConcurrentMeetings,
        GuestAccessDefault = patch.GuestAccessDefault ?? current.GuestAccessDefault,
        WaitingRoomDefault = patch.WaitingRoomDefault ?? current.WaitingRoomDefault,
        TranscriptionDefault = patch.TranscriptionDefault ?? current.TranscriptionDefault,
        PhoneHomeEnabled = patch.PhoneHomeEnabled ?? current.PhoneHomeEnabled,
    };

    private static bool IsHexColor(string value) =>
        value.Length == 7 && value[0] == '#'
        && int.TryParse(value.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _);
}
