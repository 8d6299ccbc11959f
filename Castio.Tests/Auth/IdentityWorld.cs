using Microsoft.Extensions.Time.Testing;
using System.Security.Cryptography;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Orgs;
using Castio.Core.Retention;
using Castio.Core.Users;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Castio.Tests.Auth;

/// <summary>
/// The org/user/session services wired by hand on a fresh set of Azurite tables, with a clock the
/// test moves. For service-level tests below the HTTP layer.
/// </summary>
internal sealed class IdentityWorld
{
    public IdentityWorld(AzuriteFixture azurite)
    {
        Options = Microsoft.Extensions.Options.Options.Create(new AuthOptions
        {
            SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
        var prefix = Prefix = AzuriteFixture.UniqueName("id");
        Tables = new OrgTables(azurite.Tables, azurite.Blobs, prefix);
        Expiries = new ExpiryStore(azurite.Tables, prefix);
        Sweeper = new ExpirySweeper(Expiries, Clock, NullLogger<ExpirySweeper>.Instance);
        Orgs = new OrgStore(Tables, Clock);
        Users = new UserStore(Tables);
        AccessTokens = new AccessTokenService(Options, Clock);
        Sessions = new SessionService(Tables, Expiries, Users, AccessTokens, Options, Clock, NullLogger<SessionService>.Instance);
        Limiter = new RateLimiter(Tables, Expiries, Clock);
        Auth = new AuthService(Orgs, Users, Tables, Sessions, Hasher, Limiter, Options, Clock);
        UserService = new UserService(Users, Tables, Expiries, Sessions, Options, Clock);
        OrgService = new OrgService(Orgs, Clock);
    }

    public const string Password = "correct horse battery staple";

    public FakeTimeProvider Clock { get; } = new(TestClock.Start);
    public IOptions<AuthOptions> Options { get; }
    public PasswordHasher Hasher { get; } = new(1_000);
    /// <summary>The storage name prefix of this world's tables.</summary>
    public string Prefix { get; }
    public OrgTables Tables { get; }
    public ExpiryStore Expiries { get; }
    public ExpirySweeper Sweeper { get; }
    public OrgStore Orgs { get; }
    public UserStore Users { get; }
    public AccessTokenService AccessTokens { get; }
    public SessionService Sessions { get; }
    public RateLimiter Limiter { get; }
    public AuthService Auth { get; }
    public UserService UserService { get; }
    public OrgService OrgService { get; }

    /// <summary>An active org with its owner, stored the way registration stores them.</summary>
    public async Task<(OrgEntity Org, UserEntity Owner)> CreateOrgAsync(string? slug = null, CancellationToken cancellationToken = default)
    {
        slug ??= "org-" + Guid.NewGuid().ToString("N")[..12];
        var orgId = Guid.CreateVersion7();
        var claim = await Orgs.TryClaimSlugAsync(slug, orgId, TimeSpan.FromMinutes(2), cancellationToken) ?? throw new InvalidOperationException("slug taken");
        var now = Clock.GetUtcNow();
        var owner = NewUser(orgId, "owner@" + slug + ".example", Role.Owner);
        var org = new OrgEntity
        {
            PartitionKey = OrgKeys.Partition(orgId),
            Name = "Org " + slug,
            Slug = slug,
            RtkAppId = "app",
            OwnerId = owner.Id.ToString("D"),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await Orgs.CreateWithOwnerAsync(org, owner, cancellationToken);
        claim.State = OrgSlugEntity.Active;
        await Orgs.SaveClaimAsync(claim, cancellationToken);
        return (org, owner);
    }

    /// <summary>An active user with <see cref="Password"/>.</summary>
    public async Task<UserEntity> AddUserAsync(OrgEntity org, Role role, CancellationToken cancellationToken = default)
    {
        var user = NewUser(org.Id, $"{role.ToWire()}-{Guid.NewGuid():N}@example.com", role);
        Assert.True(await Users.AddAsync(user, [], cancellationToken));
        return user;
    }

    public static CurrentUser Caller(UserEntity user) => new(user.Id, user.OrgId, user.RoleValue);

    private UserEntity NewUser(Guid orgId, string email, Role role)
    {
        var now = Clock.GetUtcNow();
        return new UserEntity
        {
            PartitionKey = OrgKeys.Partition(orgId),
            RowKey = OrgKeys.User(Guid.CreateVersion7()),
            Email = email,
            Name = "User " + role.ToWire(),
            Role = role.ToWire(),
            PasswordHash = Hasher.Hash(Password),
            Status = UserEntity.Active,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
