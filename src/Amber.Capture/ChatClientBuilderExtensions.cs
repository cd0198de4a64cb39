using Amber.Storage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Amber.Capture;

/// <summary>Registers <see cref="CapturingChatClient"/> in an M.E.AI pipeline.</summary>
public static class ChatClientBuilderExtensions
{
    /// <summary>
    /// Adds capture to the pipeline. The recorder is <paramref name="recorder"/>, else a
    /// <see cref="ConversationRecorder"/> from the service provider, else one over the provider's
    /// <see cref="Archive"/>; the clock is the provider's <see cref="TimeProvider"/> unless
    /// <paramref name="configure"/> sets one.
    /// </summary>
    public static ChatClientBuilder UseAmberCapture(this ChatClientBuilder builder, ConversationRecorder? recorder = null, Func<CapturingChatClientOptions, CapturingChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
            var resolved = recorder
                ?? services.GetService<ConversationRecorder>()
                ?? new ConversationRecorder(services.GetService<Archive>() ?? throw new InvalidOperationException("UseAmberCapture needs a ConversationRecorder or an Archive: pass one, or register one in the service provider."), time);
            var options = new CapturingChatClientOptions { TimeProvider = time };
            return new CapturingChatClient(inner, resolved, configure is null ? options : configure(options));
        });
    }
}
