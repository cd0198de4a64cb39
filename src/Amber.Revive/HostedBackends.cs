using System.ClientModel;
using Anthropic;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Amber.Revive;

/// <summary>
/// Hosted chat backends through Microsoft.Extensions.AI: any OpenAI-compatible endpoint and Anthropic.
/// Keys come from environment variables only (never from the command line, never stored).
/// </summary>
public static class HostedBackends
{
    public const string OpenAIBaseUrlVariable = "AMBER_OPENAI_BASE_URL";
    public const string OpenAIKeyVariable = "AMBER_OPENAI_API_KEY";
    public const string AnthropicBaseUrlVariable = "AMBER_ANTHROPIC_BASE_URL";
    public const string AnthropicKeyVariable = "ANTHROPIC_API_KEY";

    /// <summary>True for specs this factory handles: openai:MODEL, anthropic:MODEL.</summary>
    public static bool Handles(string spec) => spec.StartsWith("openai:", StringComparison.Ordinal) || spec.StartsWith("anthropic:", StringComparison.Ordinal);

    /// <summary>Creates a backend from "openai:MODEL" or "anthropic:MODEL"; <paramref name="environment"/> reads variables.</summary>
    public static RevivalBackend Create(string spec, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(environment);
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var kind = colon > 0 ? spec[..colon] : spec;
        var model = colon > 0 ? spec[(colon + 1)..] : "";
        if (model.Length == 0)
        {
            throw new ArgumentException($"backend \"{spec}\": give a model name, e.g. openai:gpt-4o-mini or anthropic:claude-sonnet-4-5.");
        }

        switch (kind)
        {
            case "openai":
                {
                    var baseUrl = environment(OpenAIBaseUrlVariable) ?? "https://api.openai.com/v1";
                    var key = environment(OpenAIKeyVariable) ?? environment("OPENAI_API_KEY")
                        ?? throw new ArgumentException($"backend openai: set {OpenAIKeyVariable} (or OPENAI_API_KEY) to the API key of {baseUrl}.");
                    var client = new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = ParseUrl(baseUrl, OpenAIBaseUrlVariable) });
                    return new RevivalBackend($"openai-compatible {baseUrl}", "openai", model, client.GetChatClient(model).AsIChatClient());
                }

            case "anthropic":
                {
                    var key = environment(AnthropicKeyVariable) ?? throw new ArgumentException($"backend anthropic: set {AnthropicKeyVariable} to the API key.");
                    var baseUrl = environment(AnthropicBaseUrlVariable);
                    var client = new AnthropicClient { ApiKey = key };
                    if (baseUrl is not null)
                    {
                        client = new AnthropicClient { ApiKey = key, BaseUrl = ParseUrl(baseUrl, AnthropicBaseUrlVariable).ToString().TrimEnd('/') };
                    }

                    return new RevivalBackend($"anthropic {baseUrl ?? "api.anthropic.com"}", "anthropic", model, client.AsIChatClient(model, defaultMaxOutputTokens: 1024));
                }

            default:
                throw new ArgumentException($"backend \"{spec}\": the kind \"{kind}\" is not one of openai, anthropic, local.");
        }
    }

    private static Uri ParseUrl(string value, string variable)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ArgumentException($"{variable}=\"{value}\" is not an http(s) URL.");
}
