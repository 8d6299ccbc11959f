using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Users;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Users;

public class UserServiceTests(AzuriteFixture azurite)
{
    private readonly IdentityWorld _world = new(azurite);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListPagesThroughUsersInCreationOrder()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        for (var i = 0; i < 4; i++)
        {
            await _world.AddUserAsync(org, Role.Member, Ct);
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = (await _world.UserService.ListAsync(IdentityWorld.Caller(owner), cursor, 2, Ct)).Value;
            Assert.True(page.Users.Count <= 2);
            seen.AddRange(page.Users.Select(u => u.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(5, seen.Count);
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(owner.Id, seen[0]);
    }

    [Fact]
    public async Task ListNeverShowsAnotherOrgsUsers()
    {
        var (_, ownerA) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var (orgB, _) = await _world.CreateOrgAsync(cancellationToken: Ct);
        await _world.AddUserAsync(orgB, Role.Member, Ct);

        var page = (await _world.UserService.ListAsync(IdentityWorld.Caller(ownerA), null, null, Ct)).Value;

        Assert.Equal([ownerA.Id], page.Users.Select(u => u.Id));
    }

    [Fact]
    public async Task BadCursorAndLimitAreFieldErrors()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);

        var result = await _world.UserService.ListAsync(IdentityWorld.Caller(owner), "not-a-cursor", 1000, Ct);

        Assert.Equal(["cursor", "limit"], result.Error?.Fields?.Keys.Order());
    }

    [Fact]
    public async Task InvitingAnExistingEmailConflicts()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);

        var result = await _world.UserService.InviteAsync(IdentityWorld.Caller(owner), new InviteCommand(owner.Email, "Twin", "member"), Ct);

        Assert.Equal(UserErrors.EmailTaken, result.Error?.Code);
    }

    [Fact]
    public async Task SameEmailMayBeUsedInTwoOrgs()
    {
        var (_, ownerA) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var (_, ownerB) = await _world.CreateOrgAsync(cancellationToken: Ct);

        Assert.True((await _world.UserService.InviteAsync(IdentityWorld.Caller(ownerA), new InviteCommand("shared@example.com", "A", "member"), Ct)).Succeeded);
        Assert.True((await _world.UserService.InviteAsync(IdentityWorld.Caller(ownerB), new InviteCommand("shared@example.com", "B", "member"), Ct)).Succeeded);
    }

    [Fact]
    public async Task AdminCannotInviteOrMakeAdmins()
    {
        var (org, _) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var admin = await _world.AddUserAsync(org, Role.Admin, Ct);
        var member = await _world.AddUserAsync(org, Role.Member, Ct);

        Assert.Equal(UserErrors.RoleForbidden, (await _world.UserService.InviteAsync(IdentityWorld.Caller(admin), new InviteCommand("x@example.com", "X", "admin"), Ct)).Error?.Code);
        Assert.Equal(UserErrors.RoleForbidden, (await _world.UserService.UpdateAsync(IdentityWorld.Caller(admin), member.Id, new UserUpdate(null, "admin"), Ct)).Error?.Code);
        Assert.Equal("host", (await _world.UserService.UpdateAsync(IdentityWorld.Caller(admin), member.Id, new UserUpdate(null, "host"), Ct)).Value.Role);
    }

    [Fact]
    public async Task OwnerPromotesAndDemotesAdminsButNeverThemselves()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var host = await _world.AddUserAsync(org, Role.Host, Ct);
        var caller = IdentityWorld.Caller(owner);

        Assert.Equal("admin", (await _world.UserService.UpdateAsync(caller, host.Id, new UserUpdate(null, "admin"), Ct)).Value.Role);
        Assert.Equal("member", (await _world.UserService.UpdateAsync(caller, host.Id, new UserUpdate(null, "member"), Ct)).Value.Role);
        Assert.Equal(UserErrors.RoleForbidden, (await _world.UserService.UpdateAsync(caller, owner.Id, new UserUpdate(null, "admin"), Ct)).Error?.Code);
        Assert.Equal(UserErrors.RoleForbidden, (await _world.UserService.UpdateAsync(caller, host.Id, new UserUpdate(null, "owner"), Ct)).Error?.Code);
        Assert.Equal(UserErrors.ChangeForbidden, (await _world.UserService.DeactivateAsync(caller, owner.Id, Ct)).Error?.Code);
    }

    [Fact]
    public async Task AdminCannotTouchTheOwnerOrOtherAdmins()
    {
        var (org, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var admin = await _world.AddUserAsync(org, Role.Admin, Ct);
        var otherAdmin = await _world.AddUserAsync(org, Role.Admin, Ct);
        var caller = IdentityWorld.Caller(admin);

        Assert.Equal(UserErrors.ChangeForbidden, (await _world.UserService.UpdateAsync(caller, owner.Id, new UserUpdate("Renamed", null), Ct)).Error?.Code);
        Assert.Equal(UserErrors.ChangeForbidden, (await _world.UserService.UpdateAsync(caller, otherAdmin.Id, new UserUpdate("Renamed", null), Ct)).Error?.Code);
        Assert.Equal(UserErrors.ChangeForbidden, (await _world.UserService.DeactivateAsync(caller, otherAdmin.Id, Ct)).Error?.Code);
        Assert.Equal(UserErrors.ChangeForbidden, (await _world.UserService.DeactivateAsync(caller, owner.Id, Ct)).Error?.Code);
        Assert.Equal("Me Renamed", (await _world.UserService.UpdateAsync(caller, admin.Id, new UserUpdate("Me Renamed", null), Ct)).Value.Name);
    }

    [Fact]
    public async Task AnotherOrgsUserIsNotFound()
    {
        var (_, ownerA) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var (orgB, _) = await _world.CreateOrgAsync(cancellationToken: Ct);
        var memberB = await _world.AddUserAsync(orgB, Role.Member, Ct);
        var caller = IdentityWorld.Caller(ownerA);

        Assert.Equal(ErrorKind.NotFound, (await _world.UserService.UpdateAsync(caller, memberB.Id, new UserUpdate("X", null), Ct)).Error?.Kind);
        Assert.Equal(ErrorKind.NotFound, (await _world.UserService.DeactivateAsync(caller, memberB.Id, Ct)).Error?.Kind);
        Assert.True((await _world.Users.GetAsync(orgB.Id, memberB.Id, Ct))!.IsActive);
    }

    [Fact]
    public async Task BadInviteFieldsAreNamed()
    {
        var (_, owner) = await _world.CreateOrgAsync(cancellationToken: Ct);

        var result = await _world.UserService.InviteAsync(IdentityWorld.Caller(owner), new InviteCommand("nope", "", "guest"), Ct);

        Assert.Equal(["email", "name", "role"], result.Error?.Fields?.Keys.Order());
    }
}
