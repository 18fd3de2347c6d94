using MassTransit;

namespace RadAI.Api.Apis;

/// <summary>
/// A list of settings owned by another service (senders, destinations, model packages, routing profiles), asked of it
/// over the bus: the list handler answers it, or 504 when the owner did not answer in time; the get handler finds one
/// item in it. The changes go through <see cref="AdministeredChange"/>.
/// </summary>
/// <param name="Request">The request, made at the time given.</param>
/// <param name="Items">The items of the owner's answer.</param>
/// <param name="Timeout">How long to wait for the owner.</param>
public sealed record AdministeredList<TRequest, TAnswer, TItem>(Func<DateTimeOffset, TRequest> Request, Func<TAnswer, IReadOnlyList<TItem>> Items, RequestTimeout Timeout)
    where TRequest : class
    where TAnswer : class
    where TItem : class
{
    /// <summary>Every item as the owner answers them; null when it did not answer in time.</summary>
    public async Task<IReadOnlyList<TItem>?> ListAsync(IRequestClient<TRequest> client, TimeProvider clock, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetResponse<TAnswer>(Request(clock.GetUtcNow()), cancellationToken, Timeout).ConfigureAwait(false);
            return Items(response.Message);
        }
        catch (RequestTimeoutException)
        {
            return null;
        }
    }

    /// <summary>The item that matches (null: none), and whether the owner answered in time at all.</summary>
    public async Task<(bool Answered, TItem? Found)> FindAsync(IRequestClient<TRequest> client, TimeProvider clock, Func<TItem, bool> match, CancellationToken cancellationToken) =>
        await ListAsync(client, clock, cancellationToken).ConfigureAwait(false) is { } items ? (true, items.FirstOrDefault(match)) : (false, null);
}
