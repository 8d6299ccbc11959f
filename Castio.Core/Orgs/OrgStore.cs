using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Castio.Core.Common;
using Castio.Core.Users;

namespace Castio.Core.Orgs;

/// <summary>Org rows, the slug index and branding metadata.</summary>
public sealed class OrgStore(OrgTables tables, TimeProvider time)
{
    public async Task<OrgEntity?> GetAsync(Guid orgId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        return (await tables.Orgs.GetEntityIfExistsAsync<OrgEntity>(OrgKeys.Partition(orgId), OrgKeys.Org, cancellationToken: cancellationToken)).ValueOrNull();
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
        await tables.EnsureCreatedAsync(cancellationToken);
        return (await tables.Slugs.GetEntityIfExistsAsync<OrgSlugEntity>(normalizedSlug, OrgKeys.Slug, cancellationToken: cancellationToken)).ValueOrNull();
    }

    /// <summary>
    /// Claims a slug for a registration in progress: a new pending claim, or the takeover of a
    /// pending claim whose lease ran out (a crashed or failed registration; its RTK app is kept
    /// for reuse). Null when the slug is active or another registration holds the lease.
    /// </summary>
    public async Task<OrgSlugEntity?> TryClaimSlugAsync(string normalizedSlug, Guid orgId, TimeSpan lease, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
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
            var added = await tables.Slugs.AddEntityAsync(claim, cancellationToken);
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
            var updated = await tables.Slugs.UpdateEntityAsync(claim, existing.ETag, TableUpdateMode.Replace, cancellationToken);
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
        claim.UpdatedAt = time.GetUtcNow();
        var response = await tables.Slugs.UpdateEntityAsync(claim, claim.ETag, TableUpdateMode.Replace, cancellationToken);
        claim.ETag = response.Headers.ETag ?? default;
    }

    /// <summary>The org row, its owner and the owner's e-mail index, all or nothing.</summary>
    public async Task CreateWithOwnerAsync(OrgEntity org, UserEntity owner, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        await tables.Orgs.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.Add, org),
                new(TableTransactionActionType.Add, owner),
                new(TableTransactionActionType.Add, UserStore.EmailIndex(owner)),
            ],
            cancellationToken);
    }

    /// <summary>Compensation for <see cref="CreateWithOwnerAsync"/> when the registration cannot finish.</summary>
    public async Task DeleteWithOwnerAsync(OrgEntity org, UserEntity owner, CancellationToken cancellationToken)
    {
        await tables.Orgs.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.Delete, org),
                new(TableTransactionActionType.Delete, owner),
                new(TableTransactionActionType.Delete, UserStore.EmailIndex(owner)),
            ],
            cancellationToken);
    }

    /// <summary>Replaces the org if nobody changed it since it was read; 412 otherwise.</summary>
    public async Task UpdateAsync(OrgEntity org, CancellationToken cancellationToken)
    {
        var response = await tables.Orgs.UpdateEntityAsync(org, org.ETag, TableUpdateMode.Replace, cancellationToken);
        org.ETag = response.Headers.ETag ?? default;
    }

    public async Task<BrandingEntity?> GetBrandingAsync(Guid orgId, BrandingAssetKind kind, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        return (await tables.Orgs.GetEntityIfExistsAsync<BrandingEntity>(OrgKeys.Partition(orgId), OrgKeys.Branding(kind), cancellationToken: cancellationToken)).ValueOrNull();
    }

    public async Task<IReadOnlyList<BrandingEntity>> ListBrandingAsync(Guid orgId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {OrgKeys.Partition(orgId)} and RowKey gt {OrgKeys.BrandingPrefix} and RowKey lt {OrgKeys.PrefixEnd(OrgKeys.BrandingPrefix)}");
        var rows = new List<BrandingEntity>();
        await foreach (var row in tables.Orgs.QueryAsync<BrandingEntity>(filter, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Uploads the bytes first, then points the metadata row at them.</summary>
    public async Task<BrandingEntity> PutBrandingAsync(Guid orgId, BrandingAssetKind kind, BinaryData content, string contentType, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var blobName = $"{OrgKeys.Partition(orgId)}/{kind.ToWire()}";
        var uploaded = await tables.Branding.GetBlobClient(blobName).UploadAsync(
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
            UpdatedAt = time.GetUtcNow(),
        };
        await tables.Orgs.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        return row;
    }

    public async Task<BinaryData?> DownloadBrandingAsync(BrandingEntity row, CancellationToken cancellationToken)
    {
        try
        {
            var result = await tables.Branding.GetBlobClient(row.BlobName).DownloadContentAsync(cancellationToken: cancellationToken);
            return result.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }
}
