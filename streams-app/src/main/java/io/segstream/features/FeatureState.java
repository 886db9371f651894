package io.segstream.features;

import io.segstream.facts.Interest;
import io.segstream.facts.Rfm;
import io.segstream.facts.UserFeatures;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;

/**
 * Everything the features know of one user: orders (RFM), the live cart and sessions, product
 * interest, the order-sensitive timeline they are folded from, and the recent event ids and
 * uncommitted order ids that de-duplication checks. One part of the user's one state record;
 * absent parts read as empty.
 */
public final class FeatureState {

    /** Null until the user's first order. */
    RfmState rfm;
    CartState cart = new CartState();
    DwellState dwell = new DwellState();
    /** Null until the user's first categorised product view. */
    InterestState interest;
    Timeline timeline = new Timeline();
    RecentEvents recentEvents = new RecentEvents();
    /** Null while none (nearly always): see {@link Deduplication#rememberOrder}. */
    UncommittedOrders uncommittedOrders;

    /** The user's features as of {@code now}, with RFM scores when population quintiles are known. */
    public UserFeatures view(String user, long now, FeatureSettings settings, RfmQuintiles quintiles) {
        return view(user, now, settings, quintiles, true);
    }

    /**
     * {@link #view(String, long, FeatureSettings, RfmQuintiles)}, without the dwell per category (an
     * empty map) unless {@code categoryDwell}: its copy, taken whenever the user's dwell grew since the
     * last view, is most of a view's cost, and a catalog seldom reads it.
     */
    public UserFeatures view(String user, long now, FeatureSettings settings, RfmQuintiles quintiles, boolean categoryDwell) {
        Rfm rfmView = rfm == null ? RfmState.none(settings.rfmWindowDays()) : rfm.view(now, settings.rfmWindowDays(), quintiles);
        return new UserFeatures(user, now, rfmView, dwell.view(now, settings.sessionGap().toMillis(), categoryDwell),
                cart.view(), interest == null ? Interest.NONE : interest.view(now, settings.interestWindow().toMillis()));
    }

    /** The latest event time the state holds, of a click or an order (epoch ms), or Long.MIN_VALUE before any. */
    public long latestEventTime() {
        long latest = recentEvents.latest;
        return rfm == null || rfm.lastPurchase == null ? latest : Math.max(latest, rfm.lastPurchase);
    }

    /** The user's orders, or null before their first one. */
    public RfmState rfm() {
        return rfm;
    }

    public CartState cart() {
        return cart;
    }

    public DwellState dwell() {
        return dwell;
    }

    /** Product interest, or null before the first product view. */
    public InterestState interest() {
        return interest;
    }

    /** Activities in the timeline not settled yet. */
    public int recentActivityCount() {
        return timeline.size();
    }

    /** Recent event ids held for de-duplication. */
    public int recentEventCount() {
        return recentEvents.size();
    }

    public void write(Encoder out) throws IOException {
        StateEncoding.writeNullable(out, rfm, (encoder, orders) -> orders.write(encoder));
        cart.write(out);
        dwell.write(out);
        StateEncoding.writeNullable(out, interest, (encoder, views) -> views.write(encoder));
        timeline.write(out);
        recentEvents.write(out);
        UncommittedOrders.write(out, uncommittedOrders);
    }

    public static FeatureState read(Decoder in) throws IOException {
        FeatureState state = new FeatureState();
        state.rfm = readRfm(in);
        state.cart = CartState.read(in);
        state.dwell = DwellState.read(in);
        state.interest = StateEncoding.readNullable(in, InterestState::read);
        state.timeline = Timeline.read(in);
        state.recentEvents = RecentEvents.read(in);
        state.uncommittedOrders = UncommittedOrders.read(in);
        return state;
    }

    /** Reads only the orders part, for the RFM sketches: the rest of the record is not decoded. */
    public static RfmState readRfm(Decoder in) throws IOException {
        return StateEncoding.readNullable(in, RfmState::read);
    }
}
