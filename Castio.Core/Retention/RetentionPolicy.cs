using Azure;
using Azure.Data.Tables;
using Castio.Core.Storage;

namespace Castio.Core.Retention;

/// <summary>How long each kind of kept record lives. Features file an expiry for their rows with these.</summary>
public static class RetentionPeriods
{
    /// <summary>Webhook deliveries in the ledger.</summary>
    public static readonly TimeSpan WebhookDeliveries = TimeSpan.FromDays(30);

    /// <summary>Health snapshots (and the phone-home records among them).</summary>
    public static readonly TimeSpan HealthSnapshots = TimeSpan.FromDays(90);

    /// <summary>Meeting artefacts (recordings, transcripts, summaries, chat exports) when the org has not chosen.</summary>
    public const int DefaultArtefactDays = 365;

    public const int MinArtefactDays = 1;

    /// <summary>Ten years; a longer wish is "keep", which Castio does not offer.</summary>
    public const int MaxArtefactDays = 3650;
}

/// <summary>An org's retention choice: partition = org id, row = <c>org</c>.</summary>
public sealed class RetentionSettingsEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = RetentionPolicy.RowKey;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int ArtefactRetentionDays { get; set; } = RetentionPeriods.DefaultArtefactDays;
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// Per-org retention of meeting artefacts. Whoever stores an artefact files its expiry at
/// <see cref="ArtefactDueAtAsync"/> (rows and blobs, through <see cref="ExpiryStore"/>); a changed setting
/// applies to artefacts stored after the change.
/// </summary>
public sealed class RetentionPolicy
{
    public const string TableName = "retentionsettings";
    public const string RowKey = "org";

    private readonly TableClient _table;
    private readonly CreateOnce _created;

    public RetentionPolicy(TableServiceClient tables, string namePrefix = "")
    {
        _table = tables.GetTableClient(namePrefix + TableName);
        _created = new CreateOnce(ct => _table.CreateIfNotExistsAsync(ct));
    }

    public async Task<int> GetArtefactRetentionDaysAsync(Guid orgId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var row = await _table.GetEntityIfExistsAsync<RetentionSettingsEntity>(orgId.ToString("D"), RowKey, cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } settings ? settings.ArtefactRetentionDays : RetentionPeriods.DefaultArtefactDays;
    }

    public async Task SetArtefactRetentionDaysAsync(Guid orgId, int days, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, RetentionPeriods.MinArtefactDays);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(days, RetentionPeriods.MaxArtefactDays);
        await _created.EnsureAsync(cancellationToken);
        await _table.UpsertEntityAsync(
            new RetentionSettingsEntity { PartitionKey = orgId.ToString("D"), ArtefactRetentionDays = days, UpdatedAt = now },
            TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>When an artefact stored at <paramref name="storedAt"/> falls due under the org's current setting.</summary>
    public async Task<DateTimeOffset> ArtefactDueAtAsync(Guid orgId, DateTimeOffset storedAt, CancellationToken cancellationToken) =>
        storedAt + TimeSpan.FromDays(await GetArtefactRetentionDaysAsync(orgId, cancellationToken));
}
