import { ReplySequence } from './reply-sequence';

describe('ReplySequence', () => {
  it('sends replies in the order their requests arrived, whatever order they finish in', () => {
    const sent: string[] = [];
    const replies = new ReplySequence((packet) => sent.push(packet.toString()));
    const [a, b, c] = [replies.reserve(), replies.reserve(), replies.reserve()];

    expect(replies.deliver(c, Buffer.from('c'))).toBe(0);
    expect(replies.deliver(b, Buffer.from('b'))).toBe(0);
    expect(sent).toEqual([]);
    expect(replies.deliver(a, Buffer.from('a'))).toBe(3);
    expect(sent).toEqual(['a', 'b', 'c']);

    const d = replies.reserve();
    expect(replies.deliver(d, Buffer.from('d'))).toBe(1);
    expect(sent).toEqual(['a', 'b', 'c', 'd']);
  });
});
