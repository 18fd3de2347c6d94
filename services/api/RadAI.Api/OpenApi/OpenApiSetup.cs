using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using RadAI.Api.Security;
using Scalar.AspNetCore;

namespace RadAI.Api.OpenApi;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>, also <c>/api/openapi/v1.json</c>) and the browsable reference (<c>/api/reference</c>, Scalar, its script
/// served from the package: no CDN, works offline). Both are public: they describe the API, they give no access.
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>The same document under <c>/api</c>, where the gateway routes: the reference page reads this one.</summary>
    public const string GatewayDocumentPath = "/api/openapi/v1.json";
    public const string ReferencePath = "/api/reference";
    public const string BearerScheme = "bearer";
    public const string ApiKeyScheme = "apiKey";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "RadAI API";
                document.Info.Description = "REST API of a RadAI node. Errors are RFC 9457 problem details (application/problem+json).";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "Access token from POST /api/auth/login (or the hospital's OIDC provider when configured).",
                };
                document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = ApiKeyAuthenticationHandler.HeaderName,
                    Description = "API key of a machine client (POST /api/api-keys).",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(DescribeSecurityAndProblemsAsync);
        });

    public static IEndpointRouteBuilder MapApiDocument(this IEndpointRouteBuilder routes)
    {
        routes.MapOpenApi(DocumentPath).AllowAnonymous();
        routes.MapOpenApi("/api/openapi/{documentName}.json").AllowAnonymous();
        routes.MapScalarApiReference(ReferencePath, options => options
            .WithTitle("RadAI API")
            .WithOpenApiRoutePattern(GatewayDocumentPath)
            // The default fonts come from Scalar's CDN; a hospital network may have no internet access.
            .DisableDefaultFonts())
            .AllowAnonymous();
        return routes;
    }

    /// <summary>
    /// A protected operation gets its security requirement (bearer or API key) and its 401/403 problem responses; an
    /// operation whose handler can return a problem gets a 400 problem response when it names none of its own.
    /// </summary>
    private static async Task DescribeSecurityAndProblemsAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        operation.Responses ??= [];
        var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken).ConfigureAwait(false);

        void AddProblem(string status, string description)
        {
            if (!operation.Responses.ContainsKey(status))
            {
                operation.Responses[status] = new OpenApiResponse
                {
                    Description = description,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = problem } },
                };
            }
        }

        // Decided before the 401/403 below are added: does the operation name a 4xx of its own?
        var returnType = metadata.OfType<System.Reflection.MethodInfo>().FirstOrDefault()?.ReturnType;
        var problemWithoutStatus = returnType is not null && Mentions(returnType, typeof(ProblemHttpResult)) && !operation.Responses.Keys.Any(k => k.StartsWith('4'));
        if (problemWithoutStatus)
        {
            AddProblem("400", "The request is invalid.");
        }

        var protectedEndpoint = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        if (protectedEndpoint)
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] });
            AddProblem("401", "Not signed in (no or an invalid token or API key).");
            AddProblem("403", "Signed in without the role this operation needs.");
        }
    }

    private static bool Mentions(Type type, Type wanted) =>
        type == wanted || (type.IsGenericType && type.GetGenericArguments().Any(a => Mentions(a, wanted)));
}
