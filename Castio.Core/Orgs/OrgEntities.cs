using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace Castio.Core.Orgs;

/// <summary>The organization row: partition = org id, row = <see cref="OrgKeys.Org"/>.</summary>
public sealed class OrgEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = OrgKeys.Org;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = "";
    public string Slug { get; set; } = "";
    public string RtkAppId { get; set; } = "";
    public string OwnerId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public string BrandColor { get; set; } = OrgSettings.Defaults.BrandColor;
    public string Theme { get; set; } = OrgSettings.Defaults.Theme;
    public string DefaultMeetingType { get; set; } = OrgSettings.Defaults.DefaultMeetingType;
    public int MaxMeetingDurationMinutes { get; set; } = OrgSettings.Defaults.MaxMeetingDurationMinutes;
    public int MaxParticipantsPerMeeting { get; set; } = OrgSettings.Defaults.MaxParticipantsPerMeeting;
    public int MaxConcurrentMeetings { get; set; } = OrgSettings.Defaults.MaxConcurrentMeetings;
    public string GuestAccessDefault { get; set; } = OrgSettings.Defaults.GuestAccessDefault;
    public bool WaitingRoomDefault { get; set; } = OrgSettings.Defaults.WaitingRoomDefault;
    public bool TranscriptionDefault { get; set; } = OrgSettings.Defaults.TranscriptionDefault;
    public bool PhoneHomeEnabled { get; set; } = OrgSettings.Defaults.PhoneHomeEnabled;

    [IgnoreDataMember]
    public Guid Id => Guid.Parse(PartitionKey);

    public OrgSettings ToSettings() => new(
        BrandColor, Theme, DefaultMeetingType, MaxMeetingDurationMinutes, MaxParticipantsPerMeeting,
        MaxConcurrentMeetings, GuestAccessDefault, WaitingRoomDefault, TranscriptionDefault, PhoneHomeEnabled);

    public void SetSettings(OrgSettings s)
    {
        BrandColor = s.BrandColor;
        Theme = s.Theme;
        DefaultMeetingType = s.DefaultMeetingType;
        MaxMeetingDurationMinutes = s.MaxMeetingDurationMinutes;
        MaxParticipantsPerMeeting = s.MaxParticipantsPerMeeting;
        MaxConcurrentMeetings = s.MaxConcurrentMeetings;
        GuestAccessDefault = s.GuestAccessDefault;
        WaitingRoomDefault = s.WaitingRoomDefault;
        TranscriptionDefault = s.TranscriptionDefault;
        PhoneHomeEnabled = s.PhoneHomeEnabled;
    }
}

/// <summary>
/// Slug → org index (partition = slug). Registration claims it as <c>pending</c> under a lease,
/// records the RTK app as soon as one exists (so a retry reuses it rather than orphaning it), and
/// flips it to <c>active</c> only after the org and its owner are stored. Only active slugs resolve.
/// </summary>
public sealed class OrgSlugEntity : ITableEntity
{
    public const string Pending = "pending";
    public const string Active = "active";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = OrgKeys.Slug;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string OrgId { get; set; } = "";
    public string State { get; set; } = Pending;
    public string? RtkAppId { get; set; }
    public DateTimeOffset LeaseUntil { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One uploaded branding file's metadata; the bytes are in the branding container.</summary>
public sealed class BrandingEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Kind { get; set; } = "";
    public string BlobName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long Length { get; set; }
    public string Version { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// Keys of the <c>orgs</c> table, whose partition is one org: the org row and branding rows here, and
/// the rows other features keep beside them (users, e-mail index, invites; see <c>UserKeys</c>).
/// </summary>
public static class OrgKeys
{
    public const string Org = "org";
    public const string Slug = "slug";
    public const string BrandingPrefix = "branding:";

    public static string Branding(BrandingAssetKind kind) => BrandingPrefix + kind.ToWire();

    public static string Partition(Guid orgId) => orgId.ToString("D");
}
