using System.Text.Json.Nodes;
using Castio.Core.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Castio.Functions.Auth;

/// <summary>
/// Puts each route's auth rule in the OpenAPI document: the bearer scheme, a security requirement
/// on every route that needs a token, and <c>x-castio-roles</c> listing the roles the seed §4.5
/// matrix allows where a route needs a permission.
/// </summary>
public static class AuthOpenApi
{
    public const string RolesExtension = "x-castio-roles";

    public static IServiceCollection AddAuthOpenApi(this IServiceCollection services) =>
        services.Configure<OpenApiOptions>("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[AuthSetup.Scheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "Access token from /api/auth/login, /register, /refresh or /accept-invite (15 minutes).",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var anonymous = metadata.OfType<IAllowAnonymous>().Any();
                if (anonymous || !metadata.OfType<IAuthorizeData>().Any())
                {
                    return Task.CompletedTask;
                }

                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(AuthSetup.Scheme, context.Document)] = [],
                });
                var roles = metadata.OfType<RequiredPermission>().LastOrDefault() is { } required
                    ? Rbac.RolesFor(required.Permission).Where(r => r != Role.Guest).Select(r => r.ToWire())
                    : Roles.UserRoles.Select(r => r.ToWire());
                operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                operation.Extensions[RolesExtension] = new JsonNodeExtension(new JsonArray([.. roles.Select(r => (JsonNode)r)]));
                return Task.CompletedTask;
            });
        });
}
