using Azure;
using Castio.Core.Abuse;
using Castio.Core.Orgs;
using Azure.Data.Tables;
using Castio.Core.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Castio.Core.Auth;

/// <summary>
/// Deletes rows that can no longer matter (Table Storage has no TTL): finished rate-limit windows,
/// expired refresh tokens and invites with their index rows, and sessions whose last token has
/// expired. Run daily by a timer; safe to run at any time and more than once.
/// </summary>
public sealed partial class AuthSweeper(OrgTables tables, IOptions<AuthOptions> options, TimeProvider time, ILogger<AuthSweeper> logger)
{
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
        var expired = TableClient.CreateQueryFilter($"ExpiresAt lt {now}");
        var deleted = 0;
        deleted += await DeleteAsync<RateLimitEntity>(tables.RateLimits, expired, _ => true, cancellationToken);
        deleted += await DeleteAsync<TokenIndexEntity>(tables.TokenIndex, expired, _ => true, cancellationToken);
        deleted += await DeleteAsync<RefreshTokenEntity>(tables.Orgs, Range(OrgKeys.RefreshPrefix, now), _ => true, cancellationToken);
        deleted += await DeleteAsync<InviteEntity>(tables.Orgs, Range(OrgKeys.InvitePrefix, now), _ => true, cancellationToken);
        var cutoff = now - options.Value.RefreshTokenLifetime;
        deleted += await DeleteAsync<RefreshFamilyEntity>(
            tables.Orgs,
            TableClient.CreateQueryFilter($"RowKey gt {OrgKeys.FamilyPrefix} and RowKey lt {OrgKeys.PrefixEnd(OrgKeys.FamilyPrefix)}"),
            f => (f.LastRotatedAt ?? f.CreatedAt) < cutoff,
            cancellationToken);
        LogSwept(logger, deleted);
        return deleted;
    }

    private static string Range(string prefix, DateTimeOffset now) =>
        TableClient.CreateQueryFilter($"RowKey gt {prefix} and RowKey lt {OrgKeys.PrefixEnd(prefix)} and ExpiresAt lt {now}");

    private static async Task<int> DeleteAsync<T>(TableClient table, string filter, Func<T, bool> dead, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var count = 0;
        await foreach (var row in table.QueryAsync<T>(filter, cancellationToken: cancellationToken))
        {
            if (!dead(row))
            {
                continue;
            }

            try
            {
                // The row's own ETag: a row changed since the query (a window counted again) is left alone.
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
                count++;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
            }
        }

        return count;
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "Auth sweep deleted {Count} expired rows")]
    private static partial void LogSwept(ILogger logger, int count);
}
