namespace Castio.Core.Auth;

/// <summary>The actions the RBAC matrix (<see cref="Rbac"/>) grants to roles.</summary>
public enum Permission
{
    ManageOrgSettings,
    ManageUsers,
    CreateMeetings,
    EditAnyMeeting,
    EditOwnMeeting,
    RecordAnyMeeting,
    RecordOwnMeeting,
    JoinMeetings,
    ConfigurePresets,
    ViewAnyAnalytics,
    ViewOwnAnalytics,
    DeleteOrganization,
    ViewDiagnostics,
    ManageDiagnostics,
}

/// <summary>
/// The RBAC matrix, written down in this one place. Routes declare the permission they need
/// (<c>RequirePermission</c>) and the authorization policies are generated from this table.
/// "Own only" cells are split into an Any/Own pair; "Invited/Open" and "Link" joins are decided
/// by the join flow, so plain <see cref="Permission.JoinMeetings"/> covers every signed-in role.
/// </summary>
public static class Rbac
{
    private static readonly Dictionary<Permission, Role[]> Matrix = new()
    {
        [Permission.ManageOrgSettings] = [Role.Owner, Role.Admin],
        [Permission.ManageUsers] = [Role.Owner, Role.Admin],
        [Permission.CreateMeetings] = [Role.Owner, Role.Admin, Role.Host],
        [Permission.EditAnyMeeting] = [Role.Owner, Role.Admin],
        [Permission.EditOwnMeeting] = [Role.Owner, Role.Admin, Role.Host],
        [Permission.RecordAnyMeeting] = [Role.Owner, Role.Admin],
        [Permission.RecordOwnMeeting] = [Role.Owner, Role.Admin, Role.Host],
        [Permission.JoinMeetings] = [Role.Owner, Role.Admin, Role.Host, Role.Member, Role.Guest],
        [Permission.ConfigurePresets] = [Role.Owner, Role.Admin],
        [Permission.ViewAnyAnalytics] = [Role.Owner, Role.Admin],
        [Permission.ViewOwnAnalytics] = [Role.Owner, Role.Admin, Role.Host],
        [Permission.DeleteOrganization] = [Role.Owner],
        [Permission.ViewDiagnostics] = [Role.Owner, Role.Admin],
        [Permission.ManageDiagnostics] = [Role.Owner],
    };

    public static IReadOnlyList<Role> RolesFor(Permission permission) => Matrix[permission];

    public static bool Allows(this Role role, Permission permission) => Matrix[permission].Contains(role);

    /// <summary>Authorization policy name for a permission, e.g. <c>perm:ManageUsers</c>.</summary>
    public static string PolicyName(Permission permission) => "perm:" + permission;

    /// <summary>
    /// The user-management rules around the matrix (issue #4): the owner is never demoted or
    /// removed, nobody assigns a role above their own, and only the owner makes or removes admins.
    /// </summary>
    public static bool CanChangeRole(Role actor, Role currentRole, Role newRole) =>
        actor.Allows(Permission.ManageUsers)
        && currentRole != Role.Owner
        && newRole != Role.Owner
        && newRole != Role.Guest
        && newRole <= actor
        && (actor == Role.Owner || (currentRole != Role.Admin && newRole != Role.Admin));

    public static bool CanAssignOnInvite(Role actor, Role role) =>
        actor.Allows(Permission.ManageUsers)
        && role is Role.Admin or Role.Host or Role.Member
        && role <= actor
        && (actor == Role.Owner || role != Role.Admin);

    public static bool CanDeactivate(Role actor, Role target) =>
        actor.Allows(Permission.ManageUsers)
        && target != Role.Owner
        && (actor == Role.Owner || target != Role.Admin);
}
