using System.ComponentModel;
using System.Reflection;
using Castio.Core.Observability;
using Castio.Functions.Http;
using Castio.Functions.Observability;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.WebUtilities;

namespace Castio.LocalHost;

/// <summary>
/// Serves every HTTP function of <see cref="FunctionCatalog"/> on Kestrel, at the route and methods its trigger
/// attribute declares (host.json's routePrefix is empty), through the same <see cref="HttpGate"/> and problem
/// mapping that the worker middleware applies under the Functions host. No route is written down here.
/// </summary>
public static partial class FunctionEndpoints
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static IServiceCollection AddFunctionEndpoints(this IServiceCollection services)
    {
        services.AddFunctionOpenApi();
        return services;
    }

    public static WebApplication MapFunctions(this WebApplication app)
    {
        var catalog = app.Services.GetRequiredService<FunctionCatalog>();
        foreach (var function in catalog.Http)
        {
            var invoker = new FunctionInvoker(function);
            var route = "/" + function.Route;
            var endpoint = function.Methods.Count == 0
                ? app.Map(route, invoker.InvokeAsync)
                : app.MapMethods(route, [.. function.Methods.Select(m => m.ToUpperInvariant())], invoker.InvokeAsync);
            endpoint.WithName(function.Name)
                .WithMetadata(function.Method)
                .WithMetadata([.. function.Method.DeclaringType!.GetCustomAttributes(), .. function.Method.GetCustomAttributes()])
                .Add(builder => DescribeReturnType(function.Method, builder));
        }

        return app;
    }

    /// <summary>Unknown routes and wrong methods answer with problems too, as every other failure does.</summary>
    public static WebApplication UseFunctionProblems(this WebApplication app)
    {
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var status = http.Response.StatusCode;
            var code = status == StatusCodes.Status404NotFound && http.GetEndpoint() is null ? ProblemCodes.RouteNotFound : ProblemCodes.ForStatus(status);
            await Problems.Problem(status, code, ReasonPhrases.GetReasonPhrase(status)).ExecuteAsync(http);
        });
        return app;
    }

    // Results<...> return types describe their responses (status, body type) to OpenAPI; minimal APIs do this for
    // delegates they build, so a RequestDelegate endpoint has to ask the type itself.
    private static void DescribeReturnType(MethodInfo method, EndpointBuilder builder)
    {
        var type = method.ReturnType;
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
            type = type.GetGenericArguments()[0];
        if (typeof(IEndpointMetadataProvider).IsAssignableFrom(type))
            typeof(FunctionEndpoints).GetMethod(nameof(Populate), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type).Invoke(null, [method, builder]);
    }

    private static void Populate<T>(MethodInfo method, EndpointBuilder builder) where T : IEndpointMetadataProvider =>
        T.PopulateMetadata(method, builder);

    /// <summary>Calls one function method: binds its parameters as the worker does, awaits it and executes its result.</summary>
    private sealed partial class FunctionInvoker
    {
        private readonly HttpFunction _function;
        private ObjectFactory? _factory;
        private readonly Func<HttpContext, object?>[] _binders;

        public FunctionInvoker(HttpFunction function)
        {
            _function = function;
            _binders = [.. function.Method.GetParameters().Select(Binder)];
        }

        public async Task InvokeAsync(HttpContext http)
        {
            IResult result;
            try
            {
                var gate = http.RequestServices.GetRequiredService<HttpGate>();
                result = await gate.AdmitAsync(http, _function) ?? ToResult(await CallAsync(http));
            }
            catch (Exception e)
            {
                result = ProblemHandling.FromException(e, http, http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Castio.LocalHost.Functions"));
            }

            await result.ExecuteAsync(http);
        }

        private async Task<object?> CallAsync(HttpContext http)
        {
            // Built on the first call, not while routes are mapped: it compiles an expression per function class.
            var target = _function.Method.IsStatic ? null
                : (_factory ??= ActivatorUtilities.CreateFactory(_function.Method.DeclaringType!, Type.EmptyTypes)).Invoke(http.RequestServices, null);
            try
            {
                return await FunctionMethod.InvokeAsync(_function.Method, target, [.. _binders.Select(b => b(http))],
                    http.RequestServices.GetService<FunctionFailures>(), Components.Http, _function.Name, http);
            }
            finally
            {
                (target as IDisposable)?.Dispose();
            }
        }

        // A function answering a plain value is serialized as JSON, as the worker does.
        private static IResult ToResult(object? value) => value switch
        {
            IResult result => result,
            null => Results.Ok(),
            _ => Results.Json(value),
        };

        private Func<HttpContext, object?> Binder(ParameterInfo parameter)
        {
            var type = parameter.ParameterType;
            if (type == typeof(HttpRequest))
                return http => http.Request;
            if (type == typeof(CancellationToken))
                return http => http.RequestAborted;
            if (type == typeof(Microsoft.DurableTask.Client.DurableTaskClient))
                return http => http.RequestServices.GetRequiredService<Microsoft.DurableTask.Client.DurableTaskClient>();
            var converter = TypeDescriptor.GetConverter(Nullable.GetUnderlyingType(type) ?? type);
            if (!converter.CanConvertFrom(typeof(string)))
                throw new InvalidOperationException($"Function {_function.Name}: Castio.LocalHost cannot bind parameter '{parameter.Name}' of type {type.Name}.");
            var name = parameter.Name!;
            // Route values first, then the query string: the binding data the Functions host passes the worker.
            return http =>
            {
                var text = http.Request.RouteValues.TryGetValue(name, out var routeValue) ? routeValue?.ToString() : http.Request.Query[name].FirstOrDefault();
                return text is null ? (type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null) : converter.ConvertFromInvariantString(text);
            };
        }
    }
}
