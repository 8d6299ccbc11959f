using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace Castio.Core.Orgs;

/// <summary>
/// The tables and container behind orgs, users and sign-in, created on first use.
/// <list type="bullet">
/// <item><c>orgs</c>: partition = org id; the org row, users, e-mail index, invites and branding
/// metadata, so a user and its index commit in one transaction.</item>
/// <item><c>orgslugs</c>: partition = slug; the slug → org index.</item>
/// <item><c>sessions</c>: partition = user (<see cref="Auth.SessionKeys"/>); refresh families and tokens.</item>
/// <item><c>tokenindex</c>: partition = token hash; which org (and user) holds a refresh or invite token.</item>
/// <item><c>ratelimits</c>: partition = limited key and window.</item>
/// <item>container <c>branding</c>: <c>{orgId}/{kind}</c>.</item>
/// </list>
/// </summary>
public sealed class OrgTables
{
    // Base names, as expiry pointers name their tables.
    public const string OrgsTable = "orgs";
    public const string SessionsTable = "sessions";
    public const string TokenIndexTable = "tokenindex";
    public const string RateLimitsTable = "ratelimits";

    private readonly object _gate = new();
    private Task? _ready;

    public OrgTables(TableServiceClient tables, BlobServiceClient blobs, string namePrefix = "")
    {
        Orgs = tables.GetTableClient(namePrefix + OrgsTable);
        Slugs = tables.GetTableClient(namePrefix + "orgslugs");
        Sessions = tables.GetTableClient(namePrefix + SessionsTable);
        TokenIndex = tables.GetTableClient(namePrefix + TokenIndexTable);
        RateLimits = tables.GetTableClient(namePrefix + RateLimitsTable);
        Branding = blobs.GetBlobContainerClient(namePrefix + "branding");
    }

    public TableClient Orgs { get; }
    public TableClient Slugs { get; }
    public TableClient Sessions { get; }
    public TableClient TokenIndex { get; }
    public TableClient RateLimits { get; }
    public BlobContainerClient Branding { get; }

    /// <summary>Creates everything once per process; a failed attempt is retried by the next caller.</summary>
    public Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
            {
                _ready = CreateAsync(cancellationToken);
            }

            return _ready;
        }
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            Orgs.CreateIfNotExistsAsync(cancellationToken),
            Slugs.CreateIfNotExistsAsync(cancellationToken),
            Sessions.CreateIfNotExistsAsync(cancellationToken),
            TokenIndex.CreateIfNotExistsAsync(cancellationToken),
            RateLimits.CreateIfNotExistsAsync(cancellationToken),
            Branding.CreateIfNotExistsAsync(cancellationToken: cancellationToken));
    }
}
