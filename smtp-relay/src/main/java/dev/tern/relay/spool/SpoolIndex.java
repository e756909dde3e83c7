package dev.tern.relay.spool;

import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.QueueId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The spool's memory: the unfinished messages (without content) and, per segment, how many of the
 * messages stored in it are unfinished. Written by replay and by the writer thread after each
 * forced batch; read by any thread.
 */
final class SpoolIndex {

    private final Map<QueueId, Entry> live = new LinkedHashMap<>();
    private final TreeMap<Long, Integer> liveBySegment = new TreeMap<>();
    /** Per segment, the content octets of its unfinished messages; a segment holding none has no entry. */
    private final Map<Long, Long> liveBytesBySegment = new HashMap<>();
    /** The unfinished messages the operator holds. */
    private final Set<QueueId> held = new HashSet<>();

    synchronized void addSegment(long seq) {
        liveBySegment.putIfAbsent(seq, 0);
    }

    /** Adds a message; false when its id is already known (the first record wins). */
    synchronized boolean addMessage(
            QueueId id, long arrivalMillis, Envelope envelope, long segment, long offset, int length) {
        RecipientState[] states = new RecipientState[envelope.recipients().size()];
        Arrays.fill(states, RecipientState.PENDING);
        // One lookup in a table as large as the queue: a record replayed twice is rare.
        if (live.putIfAbsent(id, new Entry(id, arrivalMillis, envelope, states, segment, offset, length)) != null) {
            return false;
        }
        liveBySegment.merge(segment, 1, Integer::sum);
        addLiveBytes(segment, length);
        return true;
    }

    /** Records a recipient's state; false when the message is unknown or finished, or the index is out of range. */
    synchronized boolean applyState(QueueId id, int recipient, RecipientState state) {
        Entry e = live.get(id);
        if (e == null || recipient < 0 || recipient >= e.states.length) {
            return false;
        }
        e.states[recipient] = state;
        return true;
    }

    /** Records whether the operator holds a message; false when it is unknown or finished. */
    synchronized boolean applyHold(QueueId id, boolean held) {
        Entry e = live.get(id);
        if (e == null) {
            return false;
        }
        if (held) {
            this.held.add(id);
        } else {
            this.held.remove(id);
        }
        return true;
    }

    /** Marks a message finished: it leaves the index and stops holding its segment. */
    synchronized boolean applyDone(QueueId id) {
        Entry e = live.remove(id);
        if (e == null) {
            return false;
        }
        held.remove(id);
        liveBySegment.merge(e.segment, -1, Integer::sum);
        addLiveBytes(e.segment, -e.length);
        return true;
    }

    /**
     * Moves an unfinished message from segment {@code from} to where it was written again; false when it is
     * finished, or lives elsewhere already (replay kept an older record of it).
     */
    synchronized boolean relocate(QueueId id, long from, long to, long offset, int length) {
        Entry e = live.get(id);
        if (e == null || e.segment() != from) {
            return false;
        }
        live.put(id, new Entry(id, e.arrivalMillis(), e.envelope(), e.states(), to, offset, length));
        liveBySegment.merge(from, -1, Integer::sum);
        liveBySegment.merge(to, 1, Integer::sum);
        addLiveBytes(from, -e.length());
        addLiveBytes(to, length);
        return true;
    }

    /**
     * The unfinished messages worth writing again so that the oldest segments can go, oldest first, at most
     * {@code budget} octets of content (always one message); none when nothing is worth it. The oldest segments,
     * up to some segment K no later than {@code newestCandidate}, are worth it when their unfinished content is
     * at most {@code bytesPerSegment} for each segment that writing it again lets go (those up to K, and the
     * finished ones after K up to the next that holds unfinished mail): a backlog, segments still mostly
     * unfinished, is not copied, and the spool holds about {@code segmentSize / bytesPerSegment} times its
     * unfinished mail at most, besides the newest segments.
     */
    synchronized List<SpooledMessage> pinning(long activeSeq, long newestCandidate, long bytesPerSegment, long budget) {
        List<Long> seqs = new ArrayList<>();
        for (Map.Entry<Long, Integer> s : liveBySegment.entrySet()) {
            if (s.getKey() >= activeSeq) {
                break;
            }
            if (!seqs.isEmpty() || s.getValue() > 0) {
                seqs.add(s.getKey()); // from the oldest that holds unfinished mail on
            }
        }
        long upTo = -1; // K: every segment up to it is worth writing again
        long cumulative = 0;
        for (int i = 0; i < seqs.size() && seqs.get(i) <= newestCandidate; i++) {
            cumulative += liveBytesBySegment.getOrDefault(seqs.get(i), 0L);
            int next = i + 1;
            while (next < seqs.size() && liveBySegment.get(seqs.get(next)) == 0) {
                next++; // finished ones after it go too
            }
            if (cumulative <= bytesPerSegment * next) {
                upTo = seqs.get(i);
            }
        }
        if (upTo < 0) {
            return List.of();
        }
        List<Entry> chosen = new ArrayList<>();
        for (Entry e : live.values()) {
            if (e.segment() <= upTo) {
                chosen.add(e);
            }
        }
        chosen.sort(Comparator.comparingLong(Entry::segment).thenComparingLong(Entry::offset));
        List<SpooledMessage> out = new ArrayList<>();
        long bytes = 0;
        for (Entry e : chosen) {
            if (!out.isEmpty() && bytes + e.length() > budget) {
                break;
            }
            bytes += e.length();
            out.add(e.snapshot(held.contains(e.id())));
        }
        return out;
    }

    private void addLiveBytes(long segment, long bytes) {
        liveBytesBySegment.merge(segment, bytes, (a, b) -> a + b == 0 ? null : a + b);
    }

    /** Where an unfinished message's content lies now (it moves when written again), or null when it is finished. */
    synchronized Place place(QueueId id) {
        Entry e = live.get(id);
        return e == null ? null : new Place(e.segment(), e.offset());
    }

    record Place(long segment, long offset) {}

    synchronized boolean accepts(QueueId id, int recipient) {
        Entry e = live.get(id);
        return e != null && recipient >= 0 && recipient < e.states.length;
    }

    synchronized boolean contains(QueueId id) {
        return live.containsKey(id);
    }

    synchronized List<SpooledMessage> snapshot() {
        List<SpooledMessage> out = new ArrayList<>(live.size());
        for (Entry e : live.values()) {
            out.add(e.snapshot(held.contains(e.id())));
        }
        return out;
    }

    synchronized Optional<SpooledMessage> find(QueueId id) {
        Entry e = live.get(id);
        return e == null ? Optional.empty() : Optional.of(e.snapshot(held.contains(id)));
    }

    synchronized int size() {
        return live.size();
    }

    /**
     * Takes the oldest segments, before {@code activeSeq}, that hold no unfinished message. Only a
     * prefix of the segment sequence goes: a state or DONE record lives in a segment at or after its
     * message's, so deleting oldest-first never drops a record that an unfinished message still needs.
     */
    synchronized List<Long> takeFinishedSegments(long activeSeq) {
        List<Long> finished = new ArrayList<>();
        Iterator<Map.Entry<Long, Integer>> it = liveBySegment.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Integer> s = it.next();
            if (s.getKey() >= activeSeq || s.getValue() > 0) {
                break;
            }
            finished.add(s.getKey());
            it.remove();
        }
        return finished;
    }

    private record Entry(
            QueueId id,
            long arrivalMillis,
            Envelope envelope,
            RecipientState[] states,
            long segment,
            long offset,
            int length) {

        SpooledMessage snapshot(boolean held) {
            return new SpooledMessage(id, arrivalMillis, envelope, List.of(states), segment, offset, length, held);
        }
    }
}
