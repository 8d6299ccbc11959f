using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Castio.Core.Common;
using Castio.Core.Storage;

namespace Castio.Core.Orgs;

/// <summary>
/// Org rows, the slug index and branding, in the tables and container Orgs owns:
/// <list type="bullet">
/// <item><c>orgs</c>: partition = org id; the org row and branding metadata. Users keep their rows in
/// the same partition (<c>UserKeys</c>), so an org and its owner commit in one transaction.</item>
/// <item><c>orgslugs</c>: partition = slug; the slug → org index.</item>
/// <item>container <c>branding</c>: <c>{orgId}/{kind}</c>.</item>
/// </list>
/// </summary>
public sealed class OrgStore
{
    /// <summary>Base names, as expiry pointers and the other features in the org partition name them.</summary>
    public const string OrgsTable = "orgs";
    public const string SlugsTable = "orgslugs";
    public const string BrandingContainer = "branding";

    private readonly TableClient _orgs;
    private readonly TableClient _slugs;
    private readonly BlobContainerClient _branding;
    private readonly CreateOnce _created;
    private readonly TimeProvider _time;

    public OrgStore(TableServiceClient tables, BlobServiceClient blobs, TimeProvider time, string namePrefix = "")
    {
        _orgs = tables.GetTableClient(namePrefix + OrgsTable);
        _slugs = tables.GetTableClient(namePrefix + SlugsTable);
        _branding = blobs.GetBlobContainerClient(namePrefix + BrandingContainer);
        _created = new CreateOnce(ct => Task.WhenAll(
            _orgs.CreateIfNotExistsAsync(ct),
            _slugs.CreateIfNotExistsAsync(ct),
            _branding.CreateIfNotExistsAsync(cancellationToken: ct)));
        _time = time;
    }

    public async Task<OrgEntity?> GetAsync(Guid orgId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return (await _orgs.GetEntityIfExistsAsync<OrgEntity>(OrgKeys.Partition(orgId), OrgKeys.Org, cancellationToken: cancellationToken)).ValueOrNull();
    }

    /// <summary>The org behind an active slug; pending (half-registered) slugs resolve to nothing.</summary>
    public async Task<Guid?> ResolveSlugAsync(string normalizedSlug, CancellationToken cancellationToken)
    {
        if (OrgSlug.Check(normalizedSlug) is not null)
        {
            return null;
        }

        var claim = await GetSlugAsync(normalizedSlug, cancellationToken);
        return claim is { State: OrgSlugEntity.Active } && Guid.TryParse(claim.OrgId, out var orgId) ? orgId : null;
    }

    public async Task<OrgSlugEntity?> GetSlugAsync(string normalizedSlug, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return (await _slugs.GetEntityIfExistsAsync<OrgSlugEntity>(normalizedSlug, OrgKeys.Slug, cancellationToken: cancellationToken)).ValueOrNull();
    }

    /// <summary>
    /// Claims a slug for a registration in progress: a new pending claim, or the takeover of a
    /// pending claim whose lease ran out (a crashed or failed registration; its RTK app is kept
    /// for reuse). Null when the slug is active or another registration holds the lease.
    /// </summary>
    public async Task<OrgSlugEntity?> TryClaimSlugAsync(string normalizedSlug, Guid orgId, TimeSpan lease, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var now = _time.GetUtcNow();
        var claim = new OrgSlugEntity
        {
            PartitionKey = normalizedSlug,
            OrgId = OrgKeys.Partition(orgId),
            State = OrgSlugEntity.Pending,
            LeaseUntil = now + lease,
            UpdatedAt = now,
        };
        try
        {
            var added = await _slugs.AddEntityAsync(claim, cancellationToken);
            claim.ETag = added.Headers.ETag ?? default;
            return claim;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
        }

        var existing = await GetSlugAsync(normalizedSlug, cancellationToken);
        if (existing is null || existing.State != OrgSlugEntity.Pending || existing.LeaseUntil > now)
        {
            return null;
        }

        claim.RtkAppId = existing.RtkAppId;
        try
        {
            var updated = await _slugs.UpdateEntityAsync(claim, existing.ETag, TableUpdateMode.Replace, cancellationToken);
            claim.ETag = updated.Headers.ETag ?? default;
            return claim;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return null;
        }
    }

    /// <summary>Saves a claim we hold (RTK app recorded, activation, lease release); 412 if we lost it.</summary>
    public async Task SaveClaimAsync(OrgSlugEntity claim, CancellationToken cancellationToken)
    {
        claim.UpdatedAt = _time.GetUtcNow();
        var response = await _slugs.UpdateEntityAsync(claim, claim.ETag, TableUpdateMode.Replace, cancellationToken);
        claim.ETag = response.Headers.ETag ?? default;
    }

    /// <summary>
    /// The org row and the rows that must exist with it in its partition (its owner and the owner's
    /// e-mail index), all or nothing.
    /// </summary>
    public async Task CreateAsync(OrgEntity org, IEnumerable<ITableEntity> alongside, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        await _orgs.SubmitTransactionAsync(
            [new(TableTransactionActionType.Add, org), .. alongside.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e))],
            cancellationToken);
    }

    /// <summary>Compensation for <see cref="CreateAsync"/> when the registration cannot finish.</summary>
    public async Task DeleteAsync(OrgEntity org, IEnumerable<ITableEntity> alongside, CancellationToken cancellationToken)
    {
        await _orgs.SubmitTransactionAsync(
            [new(TableTransactionActionType.Delete, org), .. alongside.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e))],
            cancellationToken);
    }

    /// <summary>Replaces the org if nobody changed it since it was read; 412 otherwise.</summary>
    public async Task UpdateAsync(OrgEntity org, CancellationToken cancellationToken)
    {
        var response = await _orgs.UpdateEntityAsync(org, org.ETag, TableUpdateMode.Replace, cancellationToken);
        org.ETag = response.Headers.ETag ?? default;
    }

    public async Task<BrandingEntity?> GetBrandingAsync(Guid orgId, BrandingAssetKind kind, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return (await _orgs.GetEntityIfExistsAsync<BrandingEntity>(OrgKeys.Partition(orgId), OrgKeys.Branding(kind), cancellationToken: cancellationToken)).ValueOrNull();
    }

    public async Task<IReadOnlyList<BrandingEntity>> ListBrandingAsync(Guid orgId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {OrgKeys.Partition(orgId)} and RowKey gt {OrgKeys.BrandingPrefix} and RowKey lt {TableKeys.PrefixEnd(OrgKeys.BrandingPrefix)}");
        var rows = new List<BrandingEntity>();
        await foreach (var row in _orgs.QueryAsync<BrandingEntity>(filter, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Uploads the bytes first, then points the metadata row at them.</summary>
    public async Task<BrandingEntity> PutBrandingAsync(Guid orgId, BrandingAssetKind kind, BinaryData content, string contentType, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var blobName = $"{OrgKeys.Partition(orgId)}/{kind.ToWire()}";
        var uploaded = await _branding.GetBlobClient(blobName).UploadAsync(
            content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, cancellationToken);
        var row = new BrandingEntity
        {
            PartitionKey = OrgKeys.Partition(orgId),
            RowKey = OrgKeys.Branding(kind),
            Kind = kind.ToWire(),
            BlobName = blobName,
            ContentType = contentType,
            Length = content.ToMemory().Length,
            Version = uploaded.Value.ETag.ToString().Trim('"'),
            UpdatedAt = _time.GetUtcNow(),
        };
        await _orgs.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        return row;
    }

    public async Task<BinaryData?> DownloadBrandingAsync(BrandingEntity row, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _branding.GetBlobClient(row.BlobName).DownloadContentAsync(cancellationToken: cancellationToken);
            return result.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }
}
