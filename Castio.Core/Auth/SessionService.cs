using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Retention;
using Castio.Core.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Castio.Core.Auth;

/// <summary>Tokens handed to a client after sign-in or refresh.</summary>
public sealed record IssuedSession(string AccessToken, DateTimeOffset AccessTokenExpiresAt, int ExpiresIn, string RefreshToken, DateTimeOffset RefreshTokenExpiresAt);

/// <summary>
/// Sign-in sessions: a family of refresh tokens per login, each used once. Rotation is one
/// transaction in the user's session partition that marks the old token used (ETag), adds the new
/// one and touches the family (ETag), so two racing refreshes cannot both win and a revocation
/// cannot be overtaken. Presenting a used token again revokes the whole family, unless it was
/// rotated less than <see cref="AuthOptions.RefreshReuseLeeway"/> ago: then it is a second tab
/// that refreshed at the same moment, and it gets the pair the token was rotated into.
/// </summary>
public sealed partial class SessionService(
    AuthTables tables,
    ExpiryStore expiries,
    UserStore users,
    AccessTokenService accessTokens,
    IOptions<AuthOptions> options,
    TimeProvider time,
    ILogger<SessionService> logger)
{
    // A token rotated, then its successor rotated, and so on, all within the leeway: a few hops at most.
    private const int MaxReplayHops = 4;

    private readonly AuthOptions _options = options.Value;
    private readonly byte[] _successorKey = options.Value.SigningKeyBytes();

    /// <summary>Starts a new family for a freshly authenticated user.</summary>
    public async Task<IssuedSession> StartAsync(UserEntity user, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
        var family = new RefreshFamilyEntity
        {
            PartitionKey = SessionKeys.Partition(user.OrgId, user.Id),
            RowKey = SessionKeys.Family(Guid.CreateVersion7()),
            OrgId = user.PartitionKey,
            UserId = user.Id.ToString("D"),
            CreatedAt = now,
        };
        var (token, row) = await NewTokenAsync(user, family, OpaqueToken.Create(), now, cancellationToken);
        await tables.Sessions.SubmitTransactionAsync(
            [new(TableTransactionActionType.Add, family), new(TableTransactionActionType.Add, row)],
            cancellationToken);
        return Issue(user, token, row.ExpiresAt);
    }

    /// <summary>Trades a refresh token for a new pair; the old one is spent.</summary>
    public async Task<Outcome<(IssuedSession Session, UserEntity User)>> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        if (await FindAsync(refreshToken, cancellationToken) is not { } found)
        {
            return AuthErrors.BadRefreshToken;
        }

        var (token, family) = found;
        var now = time.GetUtcNow();
        if (family.RevokedAt is not null)
        {
            return AuthErrors.BadRefreshToken;
        }

        if (token.UsedAt is not null)
        {
            return await ReplayAsync(refreshToken, token, family, now, cancellationToken);
        }

        if (token.ExpiresAt <= now)
        {
            return AuthErrors.BadRefreshToken;
        }

        var user = await users.GetAsync(Guid.Parse(family.OrgId), Guid.Parse(family.UserId), cancellationToken);
        if (user is not { IsActive: true })
        {
            await RevokeFamilyAsync(family, "user inactive", cancellationToken);
            return AuthErrors.BadRefreshToken;
        }

        var (newToken, newRow) = await NewTokenAsync(user, family, Successor(refreshToken), now, cancellationToken);
        token.UsedAt = now;
        family.LastRotatedAt = now;
        try
        {
            await tables.Sessions.SubmitTransactionAsync(
                [
                    new(TableTransactionActionType.UpdateReplace, token, token.ETag),
                    new(TableTransactionActionType.UpdateReplace, family, family.ETag),
                    new(TableTransactionActionType.Add, newRow),
                ],
                cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 412 or 409 or 404)
        {
            // Someone else spent this token (or revoked the family) between our read and write: read it again.
            if (await FindAsync(refreshToken, cancellationToken) is { Token.UsedAt: not null } spent && spent.Family.RevokedAt is null)
            {
                return await ReplayAsync(refreshToken, spent.Token, spent.Family, now, cancellationToken);
            }

            return AuthErrors.BadRefreshToken;
        }

        return (Issue(user, newToken, newRow.ExpiresAt), user);
    }

    /// <summary>
    /// A used token presented again. Within the leeway it gets the pair it was rotated into (following
    /// the chain if that was rotated too), without rotating anything; after it, the family is revoked.
    /// </summary>
    private async Task<Outcome<(IssuedSession Session, UserEntity User)>> ReplayAsync(
        string refreshToken, RefreshTokenEntity token, RefreshFamilyEntity family, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var hop = 0; hop < MaxReplayHops && token.UsedAt is { } usedAt; hop++)
        {
            if (now - usedAt > _options.RefreshReuseLeeway)
            {
                LogReuse(logger, family.OrgId, family.UserId);
                await RevokeFamilyAsync(family, "reuse", cancellationToken);
                return new Error(ErrorKind.Unauthenticated, AuthErrors.RefreshTokenReused, "This refresh token was already used; the session is ended. Sign in again.");
            }

            refreshToken = Successor(refreshToken);
            if (await FindAsync(refreshToken, cancellationToken) is not { } next || next.Family.RowKey != family.RowKey || next.Family.RevokedAt is not null)
            {
                return AuthErrors.BadRefreshToken;
            }

            (token, family) = next;
        }

        var user = await users.GetAsync(Guid.Parse(family.OrgId), Guid.Parse(family.UserId), cancellationToken);
        if (token.UsedAt is not null || token.ExpiresAt <= now || user is not { IsActive: true })
        {
            return AuthErrors.BadRefreshToken;
        }

        LogReplayWithinLeeway(logger, family.OrgId, family.UserId);
        return (Issue(user, refreshToken, token.ExpiresAt), user);
    }

    /// <summary>
    /// The token a refresh token is rotated into, derived with the signing key: every racing refresh
    /// of one token computes the same successor, and a replay within the leeway can hand it out again
    /// although only hashes are stored. Without the key, a stolen token does not give its successor.
    /// </summary>
    private string Successor(string refreshToken)
    {
        var mac = HMACSHA256.HashData(_successorKey, Encoding.UTF8.GetBytes("castio.refresh.successor\n" + refreshToken));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Ends the session the token belongs to. Unknown tokens are ignored (logout is idempotent).</summary>
    public async Task RevokeAsync(string refreshToken, CancellationToken cancellationToken)
    {
        if (await FindAsync(refreshToken, cancellationToken) is { Family: { RevokedAt: null } family })
        {
            await RevokeFamilyAsync(family, "logout", cancellationToken);
        }
    }

    /// <summary>Ends every session of a user (deactivation).</summary>
    public async Task RevokeAllAsync(Guid orgId, Guid userId, string reason, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {SessionKeys.Partition(orgId, userId)} and RowKey gt {SessionKeys.FamilyPrefix} and RowKey lt {TableKeys.PrefixEnd(SessionKeys.FamilyPrefix)}");
        await foreach (var family in tables.Sessions.QueryAsync<RefreshFamilyEntity>(filter, cancellationToken: cancellationToken))
        {
            if (family.RevokedAt is null)
            {
                await RevokeFamilyAsync(family, reason, cancellationToken);
            }
        }
    }

    private async Task<(RefreshTokenEntity Token, RefreshFamilyEntity Family)?> FindAsync(string refreshToken, CancellationToken cancellationToken)
    {
        if (!OpaqueToken.LooksValid(refreshToken))
        {
            return null;
        }

        await tables.EnsureCreatedAsync(cancellationToken);
        var hash = OpaqueToken.Hash(refreshToken);
        var index = (await tables.TokenIndex.GetEntityIfExistsAsync<TokenIndexEntity>(hash, TokenIndexEntity.Refresh, cancellationToken: cancellationToken)).ValueOrNull();
        if (index is null || !Guid.TryParse(index.OrgId, out var orgId) || !Guid.TryParse(index.UserId, out var userId))
        {
            return null;
        }

        // The partition comes from the index row, never from the caller: a token only ever reaches its own org's user.
        var partition = SessionKeys.Partition(orgId, userId);
        var token = (await tables.Sessions.GetEntityIfExistsAsync<RefreshTokenEntity>(partition, SessionKeys.Refresh(hash), cancellationToken: cancellationToken)).ValueOrNull();
        if (token is null || !Guid.TryParse(token.FamilyId, out var familyId))
        {
            return null;
        }

        var family = (await tables.Sessions.GetEntityIfExistsAsync<RefreshFamilyEntity>(partition, SessionKeys.Family(familyId), cancellationToken: cancellationToken)).ValueOrNull();
        return family is null || family.OrgId != index.OrgId || family.UserId != index.UserId ? null : (token, family);
    }

    private async Task<(string Token, RefreshTokenEntity Row)> NewTokenAsync(UserEntity user, RefreshFamilyEntity family, string token, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var hash = OpaqueToken.Hash(token);
        var expires = now + _options.RefreshTokenLifetime;
        var row = new RefreshTokenEntity
        {
            PartitionKey = family.PartitionKey,
            RowKey = SessionKeys.Refresh(hash),
            FamilyId = family.RowKey[SessionKeys.FamilyPrefix.Length..],
            UserId = user.Id.ToString("D"),
            IssuedAt = now,
            ExpiresAt = expires,
        };
        // The family lives as long as its newest token.
        family.ExpiresAt = expires;
        // Pointers first, then the index, then (by the caller) the rows: whatever lands is found again.
        await expiries.AddAsync(
            expires,
            family.PartitionKey,
            [
                new(AuthTables.SessionsTable, row.PartitionKey, row.RowKey),
                new(AuthTables.SessionsTable, family.PartitionKey, family.RowKey),
                new(AuthTables.TokenIndexTable, hash, TokenIndexEntity.Refresh),
            ],
            cancellationToken);
        await tables.TokenIndex.UpsertEntityAsync(
            new TokenIndexEntity { PartitionKey = hash, RowKey = TokenIndexEntity.Refresh, OrgId = user.PartitionKey, UserId = family.UserId, ExpiresAt = expires },
            TableUpdateMode.Replace,
            cancellationToken);
        return (token, row);
    }

    private IssuedSession Issue(UserEntity user, string refreshToken, DateTimeOffset refreshExpires)
    {
        var access = accessTokens.Issue(user.Id, user.OrgId, user.RoleValue);
        return new IssuedSession(access.Token, access.ExpiresAt, (int)_options.AccessTokenLifetime.TotalSeconds, refreshToken, refreshExpires);
    }

    internal async Task RevokeFamilyAsync(RefreshFamilyEntity family, string reason, CancellationToken cancellationToken)
    {
        family.RevokedAt = time.GetUtcNow();
        family.RevokedReason = reason;
        try
        {
            // Unconditional: revocation must win over anything that happened since we read it.
            await tables.Sessions.UpdateEntityAsync(family, ETag.All, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The sweeper removed the expired session after we read it: it is already as dead as revoked.
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Refresh token reuse in org {OrgId} for user {UserId}; session revoked")]
    private static partial void LogReuse(ILogger logger, string orgId, string userId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Refresh token presented again within the reuse leeway in org {OrgId} for user {UserId}; current pair returned")]
    private static partial void LogReplayWithinLeeway(ILogger logger, string orgId, string userId);
}
