using System.ComponentModel;
using System.Reflection;
using System.Text.Json.Nodes;
using Castio.Core.Auth;
using Castio.Functions.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Castio.LocalHost;

/// <summary>
/// The OpenAPI document of the HTTP functions, built from the endpoints <see cref="FunctionEndpoints"/> maps (which
/// carry each function's own attributes). It is checked in as Castio.Functions/openapi.json and served by the
/// OpenApi function under both hosts; a test regenerates it and fails on drift.
/// Each route's access rule lands in it: the bearer scheme, a security requirement (empty for anonymous routes),
/// <c>x-castio-roles</c> with the roles allowed, and the problem answers the gate can give.
/// </summary>
public static class OpenApiDocument
{
    public const string RolesExtension = "x-castio-roles";
    private const string Scheme = "Bearer";

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Auth"] = "Sign-up, sign-in, token rotation and invites.",
        ["Users"] = "The organization's users (owner and admin).",
        ["Organization"] = "Organization settings and white-label branding.",
        ["Ping"] = "Liveness.",
        ["OpenAPI"] = "This document.",
    };

    public static IServiceCollection AddFunctionOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Castio API";
                document.Info.Version = "v1";
                document.Info.License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" };
                document.Info.Description = "The back office of a self-hosted meeting platform. Errors are application/problem+json with a stable `code`.";
                document.Servers =
                [
                    new OpenApiServer { Url = "https://{functionApp}.azurewebsites.net", Description = "Your Castio Function App", Variables = new Dictionary<string, OpenApiServerVariable> { ["functionApp"] = new() { Default = "castio" } } },
                    new OpenApiServer { Url = FunctionEndpoints.DefaultUrl, Description = "Castio.LocalHost" },
                ];
                document.Tags = new HashSet<OpenApiTag>(TagDescriptions.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
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
                var access = metadata.OfType<AccessAttribute>().LastOrDefault();
                operation.Security = [];
                operation.Responses ??= new OpenApiResponses();
                if (access?.Roles is { } roles)
                {
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, context.Document)] = [] });
                    var allowed = roles.Count > 0 ? roles.Where(r => r != Role.Guest) : Roles.UserRoles;
                    operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                    operation.Extensions[RolesExtension] = new JsonNodeExtension(new JsonArray([.. allowed.Select(r => (JsonNode)r.ToWire())]));
                    AddProblem(operation, "401", "No valid bearer token.");
                    if (roles.Count > 0)
                        AddProblem(operation, "403", "The caller's role does not allow this.");
                }

                if (metadata.OfType<MethodInfo>().FirstOrDefault() is { } method)
                    AddParameters(operation, method, context.Description.RelativePath ?? "");
                // The gate refuses any body over the limit, on every route.
                AddProblem(operation, "413", "Request body too large.");
                if (metadata.OfType<RateLimitAttribute>().Any())
                    AddProblem(operation, "429", "Rate limited; see Retry-After.");
                if (metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>().Any())
                    AddProblem(operation, "400", "Malformed or invalid request.");
                return Task.CompletedTask;
            });
        });

    /// <summary>The document as Castio.Functions/openapi.json holds it: OpenAPI 3.1 JSON, generated from the running app's endpoints.</summary>
    public static async Task<string> GenerateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var document = await services.GetRequiredKeyedService<IOpenApiDocumentProvider>("v1").GetOpenApiDocumentAsync(cancellationToken);
        using var text = new StringWriter();
        document.SerializeAsV31(new OpenApiJsonWriter(text));
        return text.ToString().ReplaceLineEndings("\n") + "\n";
    }

    // Function parameters bind from the route, else from the query (the binding data the host passes); minimal APIs
    // would describe them, a RequestDelegate endpoint does not.
    private static void AddParameters(OpenApiOperation operation, MethodInfo method, string route)
    {
        foreach (var parameter in method.GetParameters())
        {
            // Only text-bound values are parameters; the request, the token and bound clients are not.
            if (parameter.ParameterType == typeof(HttpRequest) || parameter.ParameterType == typeof(CancellationToken)
                || !TypeDescriptor.GetConverter(Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType).CanConvertFrom(typeof(string)))
                continue;
            var inPath = route.Contains("{" + parameter.Name + "}", StringComparison.OrdinalIgnoreCase) || route.Contains("{" + parameter.Name + ":", StringComparison.OrdinalIgnoreCase);
            var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = parameter.Name,
                In = inPath ? ParameterLocation.Path : ParameterLocation.Query,
                Required = inPath,
                Description = parameter.GetCustomAttribute<DescriptionAttribute>()?.Description,
                Schema = new OpenApiSchema
                {
                    Type = type == typeof(int) ? JsonSchemaType.Integer : JsonSchemaType.String,
                    Format = type == typeof(Guid) ? "uuid" : null,
                },
            });
        }
    }

    private static void AddProblem(OpenApiOperation operation, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status))
            return;
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
        };
    }
}
