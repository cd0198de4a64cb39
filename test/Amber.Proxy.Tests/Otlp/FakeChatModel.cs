using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Amber.Proxy.Tests.Otlp;

/// <summary>The application's model in the OTLP tests: a local <see cref="IChatClient"/> that answers from a script, with a resolved model name and token usage like a provider's.</summary>
internal sealed class FakeChatModel : IChatClient
{
    public const string Provider = "fakeai";
    public const string ResolvedModel = "fake-model-2026-01-01";

    private readonly Queue<object> answers;

    /// <summary>Each answer is a text or a whole <see cref="ChatMessage"/> (tool calls).</summary>
    public FakeChatModel(params object[] answers) => this.answers = new Queue<object>(answers);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompt = messages.ToList();
        var next = answers.Dequeue();
        var response = new ChatResponse(next as ChatMessage ?? new ChatMessage(ChatRole.Assistant, (string)next))
        {
            ModelId = ResolvedModel,
            ResponseId = "resp_" + prompt.Count,
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 10 * prompt.Count, OutputTokenCount = 5, TotalTokenCount = (10 * prompt.Count) + 5 },
        };
        return Task.FromResult(response);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata(Provider, new Uri("http://127.0.0.1:9/"), "fake-model") : null;

    public void Dispose()
    {
    }
}
