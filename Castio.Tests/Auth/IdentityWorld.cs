using Microsoft.Extensions.Time.Testing;
using System.Security.Cryptography;
using Azure.Data.Tables;
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
        Tables = new WorldTables(azurite.Tables, prefix);
        Expiries = new ExpiryStore(azurite.Tables, prefix);
        Sweeper = new ExpirySweeper(Expiries, Clock, NullLogger<ExpirySweeper>.Instance);
        Orgs = new OrgStore(azurite.Tables, azurite.Blobs, Clock, prefix);
        Users = new UserStore(azurite.Tables, prefix);
        AuthTables = new AuthTables(azurite.Tables, prefix);
        AccessTokens = new AccessTokenService(Options, Clock);
        Sessions = new SessionService(AuthTables, Expiries, Users, AccessTokens, Options, Clock, NullLogger<SessionService>.Instance);
        Limiter = new RateLimiter(azurite.Tables, Expiries, Clock, prefix);
        Auth = new AuthService(Orgs, Users, AuthTables, Sessions, Hasher, Limiter, Options, Clock);
        UserService = new UserService(Users, AuthTables, Expiries, Sessions, Options, Clock);
        OrgService = new OrgService(Orgs, Clock);
    }

    public const string Password = "correct horse battery staple";

    public FakeTimeProvider Clock { get; } = new(TestClock.Start);
    public IOptions<AuthOptions> Options { get; }
    public PasswordHasher Hasher { get; } = new(1_000);
    /// <summary>The storage name prefix of this world's tables.</summary>
    public string Prefix { get; }
    /// <summary>This world's tables, for tests that look at what was stored.</summary>
    public WorldTables Tables { get; }
    public AuthTables AuthTables { get; }
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
        await Orgs.CreateAsync(org, UserStore.Rows(owner), cancellationToken);
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
            RowKey = UserKeys.User(Guid.CreateVersion7()),
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

/// <summary>The tables of one world by their base names, whichever feature owns them.</summary>
internal sealed class WorldTables(TableServiceClient service, string prefix)
{
    public TableClient Orgs { get; } = service.GetTableClient(prefix + OrgStore.OrgsTable);
    public TableClient Sessions { get; } = service.GetTableClient(prefix + AuthTables.SessionsTable);
    public TableClient TokenIndex { get; } = service.GetTableClient(prefix + AuthTables.TokenIndexTable);
    public TableClient RateLimits { get; } = service.GetTableClient(prefix + RateLimiter.TableName);
}
