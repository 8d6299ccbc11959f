using Castio.Functions;
using Castio.Functions.Http;
using Castio.Functions.Observability;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration: functions take HttpRequest and return IResult
builder.ConfigureFunctionsWebApplication();

// Bearer auth, role rules, rate limits and problem+json around every HTTP function
builder.UseMiddleware<HttpGateMiddleware>();

// Unhandled exceptions of every function (HTTP, timer, activity, orchestrator) reported to Sentry once, inside the gate
builder.UseMiddleware<FunctionFailureMiddleware>();

// Castio (shared with Castio.LocalHost)
builder.Services.AddCastio(builder.Configuration);

builder.Build().Run();
