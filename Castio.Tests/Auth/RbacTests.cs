using Castio.Core.Auth;

namespace Castio.Tests.Auth;

public class RbacTests
{
    [Theory]
    [InlineData(Permission.ManageOrgSettings, "owner,admin")]
    [InlineData(Permission.ManageUsers, "owner,admin")]
    [InlineData(Permission.CreateMeetings, "owner,admin,host")]
    [InlineData(Permission.ConfigurePresets, "owner,admin")]
    [InlineData(Permission.DeleteOrganization, "owner")]
    [InlineData(Permission.JoinMeetings, "owner,admin,host,member,guest")]
    public void MatrixMatchesSeedSection45(Permission permission, string roles)
    {
        var allowed = Enum.GetValues<Role>().Where(r => r.Allows(permission)).Select(r => r.ToWire()).OrderBy(r => r);

        Assert.Equal(roles.Split(',').OrderBy(r => r), allowed);
    }

    [Fact]
    public void OwnerCannotBeDemotedEvenByOwner()
    {
        Assert.False(Rbac.CanChangeRole(Role.Owner, Role.Owner, Role.Admin));
        Assert.False(Rbac.CanDeactivate(Role.Owner, Role.Owner));
    }

    [Fact]
    public void OnlyOwnerMakesOrRemovesAdmins()
    {
        Assert.True(Rbac.CanChangeRole(Role.Owner, Role.Host, Role.Admin));
        Assert.True(Rbac.CanChangeRole(Role.Owner, Role.Admin, Role.Member));
        Assert.True(Rbac.CanDeactivate(Role.Owner, Role.Admin));
        Assert.False(Rbac.CanChangeRole(Role.Admin, Role.Host, Role.Admin));
        Assert.False(Rbac.CanChangeRole(Role.Admin, Role.Admin, Role.Member));
        Assert.False(Rbac.CanDeactivate(Role.Admin, Role.Admin));
        Assert.False(Rbac.CanAssignOnInvite(Role.Admin, Role.Admin));
        Assert.True(Rbac.CanAssignOnInvite(Role.Owner, Role.Admin));
    }

    [Fact]
    public void AdminManagesHostsAndMembers()
    {
        Assert.True(Rbac.CanChangeRole(Role.Admin, Role.Member, Role.Host));
        Assert.True(Rbac.CanChangeRole(Role.Admin, Role.Host, Role.Member));
        Assert.True(Rbac.CanDeactivate(Role.Admin, Role.Host));
        Assert.True(Rbac.CanAssignOnInvite(Role.Admin, Role.Host));
    }

    [Fact]
    public void NobodyCreatesASecondOwnerOrAGuestUser()
    {
        Assert.False(Rbac.CanChangeRole(Role.Owner, Role.Admin, Role.Owner));
        Assert.False(Rbac.CanAssignOnInvite(Role.Owner, Role.Owner));
        Assert.False(Rbac.CanAssignOnInvite(Role.Owner, Role.Guest));
        Assert.False(Rbac.CanChangeRole(Role.Owner, Role.Member, Role.Guest));
    }

    [Fact]
    public void HostsAndMembersManageNobody()
    {
        foreach (var actor in new[] { Role.Host, Role.Member })
        {
            Assert.False(Rbac.CanChangeRole(actor, Role.Member, Role.Member));
            Assert.False(Rbac.CanAssignOnInvite(actor, Role.Member));
            Assert.False(Rbac.CanDeactivate(actor, Role.Member));
        }
    }
}
