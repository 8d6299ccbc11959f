using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Core.Retention;
using Castio.Core.Users;
using Microsoft.Extensions.Options;

namespace Castio.Core.Auth;

/// <summary>
/// User management inside the caller's org, for owners and admins (<see cref="Permission.ManageUsers"/>). Every lookup is by the
/// caller's org id, so another org's user is simply not found. It sits in Auth, above Users, because
/// it mints invite tokens and ends sessions; the user rows themselves are kept by <see cref="UserStore"/>.
/// </summary>
public sealed class UserService(
    UserStore users,
    AuthTables tables,
    ExpiryStore expiries,
    SessionService sessions,
    IOptions<AuthOptions> options,
    TimeProvider time)
{
    private const int MaxAttempts = 3;
    private static readonly Error NotFound = new(ErrorKind.NotFound, UserErrors.NotFound, "User not found.");
    private static readonly Error Busy = new(ErrorKind.Conflict, UserErrors.Concurrent, "The user is being changed by someone else; try again.");

    public async Task<Outcome<UserPage>> ListAsync(CurrentUser caller, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var after = errors.CheckIdCursor(cursor, limit, UserStore.MaxPageSize);

        if (!errors.IsEmpty)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        var (page, next) = await users.ListAsync(caller.OrgId, after, limit ?? 50, cancellationToken);
        return new UserPage([.. page.Select(UserView.From)], next?.ToString("N"));
    }

    public async Task<Outcome<InvitedUser>> InviteAsync(CurrentUser caller, InviteCommand command, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(command.Email);
        var name = DisplayName.Normalize(command.Name);
        var errors = new FieldErrors()
            .AddIf("email", EmailAddress.Check(email))
            .AddIf("name", DisplayName.Check(name));
        if (!Roles.TryParse(command.Role, out var role) || !Roles.UserRoles.Contains(role))
        {
            errors.Add("role", "Role must be one of: admin, host, member.");
        }

        if (!errors.IsEmpty)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        if (!Rbac.CanAssignOnInvite(caller.Role, role))
        {
            return new Error(ErrorKind.Forbidden, UserErrors.RoleForbidden, "You cannot give this role.");
        }

        await tables.EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
        var user = new UserEntity
        {
            PartitionKey = OrgKeys.Partition(caller.OrgId),
            RowKey = UserKeys.User(Guid.CreateVersion7()),
            Email = email,
            Name = name,
            Role = role.ToWire(),
            Status = UserEntity.Invited,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var token = OpaqueToken.Create();
        var hash = OpaqueToken.Hash(token);
        var expires = now + options.Value.InviteLifetime;
        // Pointers first: the invite and its index row are found again when they expire.
        await expiries.AddAsync(
            expires,
            hash,
            [new(OrgStore.OrgsTable, user.PartitionKey, UserKeys.Invite(hash)), new(AuthTables.TokenIndexTable, hash, TokenIndexEntity.Invite)],
            cancellationToken);
        await tables.TokenIndex.UpsertEntityAsync(
            new TokenIndexEntity { PartitionKey = hash, RowKey = TokenIndexEntity.Invite, OrgId = user.PartitionKey, ExpiresAt = expires },
            TableUpdateMode.Replace,
            cancellationToken);
        var invite = new InviteEntity
        {
            PartitionKey = user.PartitionKey,
            RowKey = UserKeys.Invite(hash),
            UserId = user.Id.ToString("D"),
            CreatedBy = caller.UserId.ToString("D"),
            ExpiresAt = expires,
        };
        if (!await users.AddAsync(user, [invite], cancellationToken))
        {
            return new Error(ErrorKind.Conflict, UserErrors.EmailTaken, "A user with this e-mail already exists in the organization.");
        }

        return new InvitedUser(UserView.From(user), token, expires);
    }

    public async Task<Outcome<UserView>> UpdateAsync(CurrentUser caller, Guid userId, UserUpdate update, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        string? name = null;
        if (update.Name is not null)
        {
            name = DisplayName.Normalize(update.Name);
            errors.AddIf("name", DisplayName.Check(name));
        }

        Role? newRole = null;
        if (update.Role is not null)
        {
            if (Roles.TryParse(update.Role, out var parsed) && Roles.UserRoles.Contains(parsed))
            {
                newRole = parsed;
            }
            else
            {
                errors.Add("role", "Role must be one of: owner, admin, host, member.");
            }
        }

        if (!errors.IsEmpty)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        for (var attempt = 1; ; attempt++)
        {
            var user = await users.GetAsync(caller.OrgId, userId, cancellationToken);
            if (user is null)
            {
                return NotFound;
            }

            var current = user.RoleValue;
            var self = user.Id == caller.UserId;
            // Only the owner touches the owner or admins (their own profile aside).
            if (!self && (current == Role.Owner || (current == Role.Admin && caller.Role != Role.Owner)))
            {
                return new Error(ErrorKind.Forbidden, UserErrors.ChangeForbidden, "You cannot change this user.");
            }

            if (newRole is { } target && target != current && !Rbac.CanChangeRole(caller.Role, current, target))
            {
                return new Error(ErrorKind.Forbidden, UserErrors.RoleForbidden, "You cannot give this role to this user.");
            }

            user.Name = name ?? user.Name;
            user.Role = (newRole ?? current).ToWire();
            user.UpdatedAt = time.GetUtcNow();
            try
            {
                await users.UpdateAsync(user, cancellationToken);
                return UserView.From(user);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Changed under us: re-read and re-check the rules against the new state.
                if (attempt >= MaxAttempts)
                {
                    return Busy;
                }
            }
        }
    }

    /// <summary>Deactivates a user; their access tokens fail on the next request and their sessions end.</summary>
    public async Task<Outcome<bool>> DeactivateAsync(CurrentUser caller, Guid userId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var user = await users.GetAsync(caller.OrgId, userId, cancellationToken);
            if (user is null)
            {
                return NotFound;
            }

            if (!Rbac.CanDeactivate(caller.Role, user.RoleValue))
            {
                return new Error(ErrorKind.Forbidden, UserErrors.ChangeForbidden, "You cannot deactivate this user.");
            }

            if (user.Status != UserEntity.Deactivated)
            {
                user.Status = UserEntity.Deactivated;
                user.UpdatedAt = time.GetUtcNow();
                try
                {
                    await users.UpdateAsync(user, cancellationToken);
                }
                catch (RequestFailedException e) when (e.Status == 412)
                {
                    if (attempt >= MaxAttempts)
                    {
                        return Busy;
                    }

                    continue;
                }
            }

            await sessions.RevokeAllAsync(caller.OrgId, userId, "deactivated", cancellationToken);
            return true;
        }
    }
}
