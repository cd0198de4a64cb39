namespace Amber.Proxy.Protocols;

/// <summary>The captured protocols, by route and by the source name recorded in raw exchanges.</summary>
internal static class ProtocolRegistry
{
    public static readonly IProtocol OpenAiChat = new OpenAiChatProtocol();
    public static readonly IProtocol OpenAiResponses = new OpenAiResponsesProtocol();
    public static readonly IProtocol AnthropicMessages = new AnthropicMessagesProtocol();

    /// <summary>The protocol captured at a POST to <paramref name="path"/>, or null.</summary>
    public static IProtocol? ForPath(string path) => path switch
    {
        "/v1/chat/completions" => OpenAiChat,
        "/v1/responses" => OpenAiResponses,
        "/v1/messages" => AnthropicMessages,
        _ => null,
    };

    public static IProtocol ForSource(string source) => source switch
    {
        "openai.chat" => OpenAiChat,
        "openai.responses" => OpenAiResponses,
        "anthropic.messages" => AnthropicMessages,
        _ => throw new FormatException($"raw exchange: unknown source \"{source}\" (expected openai.chat, openai.responses or anthropic.messages)."),
    };
}
