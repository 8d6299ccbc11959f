using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Users;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Auth;

public class SessionServiceTests(AzuriteFixture azurite)
{
    private readonly IdentityWorld _world = new(azurite);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RefreshRotatesTheTokenAndKeepsTheUser()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var first = await _world.Sessions.StartAsync(owner, Ct);

        var refreshed = await _world.Sessions.RefreshAsync(first.RefreshToken, Ct);

        Assert.True(refreshed.Succeeded);
        Assert.NotEqual(first.RefreshToken, refreshed.Value.Session.RefreshToken);
        var claims = await _world.AccessTokens.ValidateAsync(refreshed.Value.Session.AccessToken);
        Assert.Equal(owner.Id, claims!.UserId);
        Assert.Equal(Role.Owner, claims.Role);
    }

    [Fact]
    public async Task ReusingARotatedTokenAfterTheLeewayRevokesTheWholeFamily()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var first = await _world.Sessions.StartAsync(owner, Ct);
        var second = (await _world.Sessions.RefreshAsync(first.RefreshToken, Ct)).Value.Session;
        _world.Clock.Advance(_world.Options.Value.RefreshReuseLeeway + TimeSpan.FromSeconds(1));

        var replay = await _world.Sessions.RefreshAsync(first.RefreshToken, Ct);

        Assert.Equal(AuthErrors.RefreshTokenReused, replay.Error?.Code);
        // The legitimate holder's newer token is dead too.
        Assert.Equal(AuthErrors.InvalidRefreshToken, (await _world.Sessions.RefreshAsync(second.RefreshToken, Ct)).Error?.Code);
    }

    [Fact]
    public async Task OtherSessionsSurviveAReuseInOneFamily()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var laptop = await _world.Sessions.StartAsync(owner, Ct);
        var phone = await _world.Sessions.StartAsync(owner, Ct);
        await _world.Sessions.RefreshAsync(laptop.RefreshToken, Ct);
        _world.Clock.Advance(_world.Options.Value.RefreshReuseLeeway + TimeSpan.FromSeconds(1));
        Assert.Equal(AuthErrors.RefreshTokenReused, (await _world.Sessions.RefreshAsync(laptop.RefreshToken, Ct)).Error?.Code);

        Assert.True((await _world.Sessions.RefreshAsync(phone.RefreshToken, Ct)).Succeeded);
    }

    [Fact]
    public async Task ConcurrentRefreshesOfOneTokenAllGetTheSamePairAndTheSessionLives()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var first = await _world.Sessions.StartAsync(owner, Ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _world.Sessions.RefreshAsync(first.RefreshToken, Ct)));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.Code));
        var successor = Assert.Single(results.Select(r => r.Value.Session.RefreshToken).Distinct());
        Assert.NotEqual(first.RefreshToken, successor);
        Assert.True((await _world.Sessions.RefreshAsync(successor, Ct)).Succeeded);
    }

    [Fact]
    public async Task ARotatedTokenPresentedAgainWithinTheLeewayGetsTheCurrentPair()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var first = await _world.Sessions.StartAsync(owner, Ct);
        var second = (await _world.Sessions.RefreshAsync(first.RefreshToken, Ct)).Value.Session;
        _world.Clock.Advance(_world.Options.Value.RefreshReuseLeeway - TimeSpan.FromSeconds(1));

        var replay = await _world.Sessions.RefreshAsync(first.RefreshToken, Ct);

        Assert.True(replay.Succeeded, replay.Error?.Code);
        Assert.Equal(second.RefreshToken, replay.Value.Session.RefreshToken);
        Assert.Equal(second.RefreshTokenExpiresAt, replay.Value.Session.RefreshTokenExpiresAt);
        Assert.Equal(owner.Id, (await _world.AccessTokens.ValidateAsync(replay.Value.Session.AccessToken))!.UserId);
        // Nothing was revoked or rotated: the pair both tabs now hold still works, once.
        var third = await _world.Sessions.RefreshAsync(second.RefreshToken, Ct);
        Assert.True(third.Succeeded);
        Assert.NotEqual(second.RefreshToken, third.Value.Session.RefreshToken);
    }

    [Fact]
    public async Task WithinTheLeewayAReplayFollowsTheChainToTheNewestPair()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var first = await _world.Sessions.StartAsync(owner, Ct);
        var second = (await _world.Sessions.RefreshAsync(first.RefreshToken, Ct)).Value.Session;
        var third = (await _world.Sessions.RefreshAsync(second.RefreshToken, Ct)).Value.Session;

        var replay = await _world.Sessions.RefreshAsync(first.RefreshToken, Ct);

        Assert.Equal(third.RefreshToken, replay.Value.Session.RefreshToken);
    }

    [Fact]
    public void LeewayOutsideZeroToOneMinuteIsRefusedAtStart()
    {
        var validator = new AuthOptions.Validator();
        var options = new AuthOptions { SigningKey = _world.Options.Value.SigningKey };

        options.RefreshReuseLeeway = TimeSpan.FromSeconds(-1);
        Assert.Contains(validator.Validate(null, options).Failures!, f => f.Contains("RefreshReuseLeeway"));
        options.RefreshReuseLeeway = TimeSpan.FromMinutes(2);
        Assert.Contains(validator.Validate(null, options).Failures!, f => f.Contains("RefreshReuseLeeway"));
        options.RefreshReuseLeeway = TimeSpan.Zero;
        Assert.True(validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task RefreshTokenExpiresAfterThirtyDays()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var session = await _world.Sessions.StartAsync(owner, Ct);

        _world.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));

        Assert.Equal(AuthErrors.InvalidRefreshToken, (await _world.Sessions.RefreshAsync(session.RefreshToken, Ct)).Error?.Code);
        Assert.Equal(_world.Clock.GetUtcNow().AddSeconds(-1), session.RefreshTokenExpiresAt);
    }

    [Fact]
    public async Task LogoutRevokesTheSession()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var session = await _world.Sessions.StartAsync(owner, Ct);

        await _world.Sessions.RevokeAsync(session.RefreshToken, Ct);

        Assert.Equal(AuthErrors.InvalidRefreshToken, (await _world.Sessions.RefreshAsync(session.RefreshToken, Ct)).Error?.Code);
    }

    [Fact]
    public async Task UnknownAndMalformedTokensAreRefused()
    {
        Assert.Equal(AuthErrors.InvalidRefreshToken, (await _world.Sessions.RefreshAsync(OpaqueToken.Create(), Ct)).Error?.Code);
        Assert.Equal(AuthErrors.InvalidRefreshToken, (await _world.Sessions.RefreshAsync("x'; drop", Ct)).Error?.Code);
    }

    [Fact]
    public async Task DeactivatedUserCannotRefresh()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var member = await _world.AddUserAsync(org, Role.Member, Ct);
        var session = await _world.Sessions.StartAsync(member, Ct);

        Assert.True((await _world.UserService.DeactivateAsync(IdentityWorld.Caller(owner), member.Id, Ct)).Succeeded);

        Assert.False((await _world.Sessions.RefreshAsync(session.RefreshToken, Ct)).Succeeded);
        Assert.Equal(UserEntity.Deactivated, (await _world.Users.GetAsync(org.Id, member.Id, Ct))!.Status);
    }

    [Fact]
    public async Task StoredRowsHoldOnlyTheHashOfTheToken()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var session = await _world.Sessions.StartAsync(owner, Ct);

        var rows = new List<RefreshTokenEntity>();
        await foreach (var row in _world.Tables.Sessions.QueryAsync<RefreshTokenEntity>($"PartitionKey eq '{SessionKeys.Partition(org.Id, owner.Id)}' and RowKey ge 'refresh:' and RowKey lt 'refresh;'", cancellationToken: Ct))
        {
            rows.Add(row);
        }

        var stored = Assert.Single(rows);
        Assert.Equal("refresh:" + OpaqueToken.Hash(session.RefreshToken), stored.RowKey);
        Assert.DoesNotContain(session.RefreshToken, stored.RowKey);
    }

    [Fact]
    public async Task AnIndexRowPointingAtAnotherOrgsUserFindsNothingThere()
    {
        var (_, ownerA) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var (orgB, ownerB) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var sessionA = await _world.Sessions.StartAsync(ownerA, Ct);
        var sessionB = await _world.Sessions.StartAsync(ownerB, Ct);
        var hash = OpaqueToken.Hash(sessionA.RefreshToken);
        var index = (await _world.Tables.TokenIndex.GetEntityAsync<TokenIndexEntity>(hash, TokenIndexEntity.Refresh, cancellationToken: Ct)).Value;

        // Whatever the index claims, the token row is looked for only in the partition it names.
        index.OrgId = orgB.PartitionKey;
        index.UserId = ownerB.Id.ToString("D");
        await _world.Tables.TokenIndex.UpdateEntityAsync(index, index.ETag, Azure.Data.Tables.TableUpdateMode.Replace, Ct);

        Assert.Equal(AuthErrors.InvalidRefreshToken, (await _world.Sessions.RefreshAsync(sessionA.RefreshToken, Ct)).Error?.Code);
        var b = await _world.Sessions.RefreshAsync(sessionB.RefreshToken, Ct);
        Assert.True(b.Succeeded);
        Assert.Equal(ownerB.Id, b.Value.User.Id);
    }

    [Fact]
    public async Task RevokingASessionTheSweeperAlreadyRemovedSucceeds()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        await _world.Sessions.StartAsync(owner, Ct);
        var family = await SingleFamilyAsync(SessionKeys.Partition(org.Id, owner.Id));
        await _world.Tables.Sessions.DeleteEntityAsync(family.PartitionKey, family.RowKey, cancellationToken: Ct);

        await _world.Sessions.RevokeFamilyAsync(family, "deactivated", Ct);

        Assert.Null((await _world.Tables.Sessions.GetEntityIfExistsAsync<RefreshFamilyEntity>(family.PartitionKey, family.RowKey, cancellationToken: Ct)).ValueOrNull());
    }

    private async Task<RefreshFamilyEntity> SingleFamilyAsync(string partition)
    {
        var families = new List<RefreshFamilyEntity>();
        await foreach (var row in _world.Tables.Sessions.QueryAsync<RefreshFamilyEntity>($"PartitionKey eq '{partition}' and RowKey ge 'family:' and RowKey lt 'family;'", cancellationToken: Ct))
        {
            families.Add(row);
        }

        return Assert.Single(families);
    }
}
