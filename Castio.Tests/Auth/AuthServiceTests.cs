using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Users;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Auth;

public class AuthServiceTests(AzuriteFixture azurite)
{
    private readonly IdentityWorld _world = new(azurite);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OwnerSignsInWithEmailPasswordAndSlug()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);

        var result = await _world.Auth.LoginAsync(new LoginCommand(owner.Email.ToUpperInvariant(), IdentityWorld.Password, org.Slug), Ct);

        Assert.True(result.Succeeded);
        Assert.Equal(owner.Id, result.Value.User.Id);
        Assert.Equal(org.Id, result.Value.Org.Id);
        Assert.NotNull(await _world.AccessTokens.ValidateAsync(result.Value.Session.AccessToken));
    }

    [Fact]
    public async Task WrongPasswordUnknownEmailAndUnknownOrgAllGetTheSameAnswer()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);

        var wrongPassword = await _world.Auth.LoginAsync(new LoginCommand(owner.Email, "not the password at all", org.Slug), Ct);
        var unknownEmail = await _world.Auth.LoginAsync(new LoginCommand("nobody@example.com", IdentityWorld.Password, org.Slug), Ct);
        var unknownOrg = await _world.Auth.LoginAsync(new LoginCommand(owner.Email, IdentityWorld.Password, "no-such-org-here"), Ct);

        Assert.All(new[] { wrongPassword, unknownEmail, unknownOrg }, r => Assert.Same(AuthErrors.BadCredentials, r.Error));
    }

    [Fact]
    public async Task UserOfAnotherOrgCannotSignInThroughThisOrgsSlug()
    {
        var (orgA, _) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var (_, ownerB) = await _world.CreateOrgAsync(cancellationToken: Ct);

        var result = await _world.Auth.LoginAsync(new LoginCommand(ownerB.Email, IdentityWorld.Password, orgA.Slug), Ct);

        Assert.Same(AuthErrors.BadCredentials, result.Error);
    }

    [Fact]
    public async Task AccountIsThrottledAfterRepeatedFailuresAndRecovers()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        for (var i = 0; i < _world.Options.Value.MaxFailedLoginsPerAccount; i++)
        {
            await _world.Auth.LoginAsync(new LoginCommand(owner.Email, "wrong password " + i, org.Slug), Ct);
        }

        var throttled = await _world.Auth.LoginAsync(new LoginCommand(owner.Email, IdentityWorld.Password, org.Slug), Ct);

        Assert.Equal(AuthErrors.AccountThrottled, throttled.Error?.Code);
        Assert.Equal(ErrorKind.TooManyRequests, throttled.Error?.Kind);
        _world.Clock.Advance(throttled.Error!.RetryAfter!.Value);
        Assert.True((await _world.Auth.LoginAsync(new LoginCommand(owner.Email, IdentityWorld.Password, org.Slug), Ct)).Succeeded);
    }

    [Fact]
    public async Task ParallelWrongPasswordsNeverReachVerificationMoreOftenThanTheLimit()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var limit = _world.Options.Value.MaxFailedLoginsPerAccount;

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            _world.Auth.LoginAsync(new LoginCommand(owner.Email, "wrong password " + i, org.Slug), Ct)));

        // Only an attempt that got past the lockout has its password checked, and only then is it a bad credential.
        Assert.Equal(limit, results.Count(r => ReferenceEquals(r.Error, AuthErrors.BadCredentials)));
        Assert.Equal(40 - limit, results.Count(r => r.Error?.Code == AuthErrors.AccountThrottled));
        Assert.Equal(AuthErrors.AccountThrottled, (await _world.Auth.LoginAsync(new LoginCommand(owner.Email, IdentityWorld.Password, org.Slug), Ct)).Error?.Code);
    }

    [Fact]
    public async Task SuccessfulSignInsDoNotCountTowardsTheLockout()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var limit = _world.Options.Value.MaxFailedLoginsPerAccount;
        for (var i = 0; i < limit - 1; i++)
        {
            Assert.Same(AuthErrors.BadCredentials, (await _world.Auth.LoginAsync(new LoginCommand(owner.Email, "wrong password " + i, org.Slug), Ct)).Error);
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await _world.Auth.LoginAsync(new LoginCommand(owner.Email, IdentityWorld.Password, org.Slug), Ct)).Succeeded);
        }

        Assert.Same(AuthErrors.BadCredentials, (await _world.Auth.LoginAsync(new LoginCommand(owner.Email, "one more wrong", org.Slug), Ct)).Error);
        Assert.Equal(AuthErrors.AccountThrottled, (await _world.Auth.LoginAsync(new LoginCommand(owner.Email, IdentityWorld.Password, org.Slug), Ct)).Error?.Code);
    }

    [Fact]
    public async Task LoginWithOldHashUpgradesItToCurrentParameters()
    {
        var (org, created) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var owner = (await _world.Users.GetAsync(org.Id, created.Id, Ct))!;
        owner.PasswordHash = new PasswordHasher(10).Hash(IdentityWorld.Password);
        await _world.Users.UpdateAsync(owner, Ct);

        Assert.True((await _world.Auth.LoginAsync(new LoginCommand(owner.Email, IdentityWorld.Password, org.Slug), Ct)).Succeeded);

        var stored = await _world.Users.GetAsync(org.Id, owner.Id, Ct);
        Assert.StartsWith($"$pbkdf2-sha256$i={_world.Hasher.Iterations}$", stored!.PasswordHash);
        Assert.NotNull(stored.LastLoginAt);
    }

    [Fact]
    public async Task MissingFieldsAreNamed()
    {
        var result = await _world.Auth.LoginAsync(new LoginCommand(null, "", null), Ct);

        Assert.Equal(ErrorKind.Invalid, result.Error?.Kind);
        Assert.Equal(["email", "orgSlug", "password"], result.Error!.Fields!.Keys.Order());
    }

    [Fact]
    public async Task OverlongPasswordIsRefusedBeforeAnyHashing()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);

        var result = await _world.Auth.LoginAsync(new LoginCommand(owner.Email, new string('p', 100_000), org.Slug), Ct);

        Assert.Equal(["password"], result.Error?.Fields?.Keys);
    }

    [Fact]
    public async Task InvitedUserSetsPasswordOnceAndSignsIn()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var invited = (await _world.UserService.InviteAsync(IdentityWorld.Caller(owner), new InviteCommand("New@Example.com", "New Person", "host"), Ct)).Value;
        Assert.Equal("invited", invited.User.Status);
        Assert.Same(AuthErrors.BadCredentials, (await _world.Auth.LoginAsync(new LoginCommand("new@example.com", IdentityWorld.Password, org.Slug), Ct)).Error);

        var accepted = await _world.Auth.AcceptInviteAsync(invited.InviteToken, IdentityWorld.Password, Ct);

        Assert.True(accepted.Succeeded);
        Assert.Equal("host", accepted.Value.User.Role);
        Assert.Equal(AuthErrors.InvalidInvite, (await _world.Auth.AcceptInviteAsync(invited.InviteToken, "another long password", Ct)).Error?.Code);
        Assert.True((await _world.Auth.LoginAsync(new LoginCommand("new@example.com", IdentityWorld.Password, org.Slug), Ct)).Succeeded);
    }

    [Fact]
    public async Task ExpiredInviteIsRefused()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var invited = (await _world.UserService.InviteAsync(IdentityWorld.Caller(owner), new InviteCommand("late@example.com", "Late", "member"), Ct)).Value;

        _world.Clock.Advance(_world.Options.Value.InviteLifetime + TimeSpan.FromSeconds(1));

        Assert.Equal(AuthErrors.InvalidInvite, (await _world.Auth.AcceptInviteAsync(invited.InviteToken, IdentityWorld.Password, Ct)).Error?.Code);
    }

    [Fact]
    public async Task InviteAcceptanceEnforcesPasswordLength()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var invited = (await _world.UserService.InviteAsync(IdentityWorld.Caller(owner), new InviteCommand("short@example.com", "Short", "member"), Ct)).Value;

        var result = await _world.Auth.AcceptInviteAsync(invited.InviteToken, "too short", Ct);

        Assert.Equal(["password"], result.Error?.Fields?.Keys);
    }
}
