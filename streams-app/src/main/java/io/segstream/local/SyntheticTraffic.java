package io.segstream.local;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.GeneratedClasses;
import io.segstream.avro.DeviceType;
import io.segstream.avro.LineItem;
import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Realistic synthetic shop traffic, deterministic for a seed: a year of order history for
 * returning customers, then live sessions with views, searches, cart adds and removals,
 * checkouts, purchases and refunds. Activity is skewed (a few users are very active, most are
 * occasional) and users go quiet mid-session, leaving carts behind.
 */
public final class SyntheticTraffic {

    static {
        GeneratedClasses.trust();
    }

    private static final String[] CATEGORIES = {"electronics.audio", "electronics.smartphone", "apparel.shoes",
        "apparel.jacket", "home.kitchen", "home.decor", "books.fiction", "sport.bicycle", "beauty.skincare", "toys.lego"};
    private static final DeviceType[] DEVICES = {DeviceType.DESKTOP, DeviceType.MOBILE, DeviceType.MOBILE, DeviceType.TABLET,
        DeviceType.APP};

    private final Random random;
    private final int users;
    private final double[] cumulativeWeight;
    private final Map<Integer, Visitor> visitors = new HashMap<>();
    private long sequence;

    /** One visitor's live session and cart. */
    private static final class Visitor {
        String session;
        Instant lastSeen = Instant.EPOCH;
        final Map<String, Integer> cart = new HashMap<>();
        final Map<String, BigDecimal> prices = new HashMap<>();
        final Map<String, String> categories = new HashMap<>();
        int favourite;
        final List<Order> orders = new ArrayList<>();
    }

    /** The product categories the synthetic visitors browse. */
    public static List<String> categories() {
        return List.of(CATEGORIES);
    }

    public SyntheticTraffic(long seed, int users) {
        this.random = new Random(seed);
        this.users = users;
        this.cumulativeWeight = new double[users];
        double total = 0;
        for (int i = 0; i < users; i++) {
            total += 1 / Math.pow(i + 1, 0.9);
            cumulativeWeight[i] = total;
        }
        for (int i = 0; i < users; i++) {
            cumulativeWeight[i] /= total;
        }
    }

    /** A year of past orders (and some refunds) of returning customers, in event-time order, ending at {@code now}. */
    public List<Order> history(Instant now, int customers) {
        List<Order> orders = new ArrayList<>();
        for (int c = 0; c < Math.min(customers, users); c++) {
            int user = pickUser();
            if (anonymous(user)) {
                continue;
            }
            int count = 1 + (int) Math.floor(-Math.log(1 - random.nextDouble()) * 2.5);
            long lastDaysAgo = (long) (random.nextDouble() * random.nextDouble() * 400);
            for (int k = 0; k < count; k++) {
                Instant at = now.minus(Duration.ofDays(lastDaysAgo + (long) k * (5 + random.nextInt(60))))
                        .minus(Duration.ofMinutes(random.nextInt(1440)));
                Order order = order(user, randomLines(), at, OrderType.PURCHASE);
                orders.add(order);
                visitor(user).orders.add(order);
                if (random.nextInt(25) == 0) {
                    orders.add(refund(order, at.plus(Duration.ofDays(1 + random.nextInt(10)))));
                }
            }
        }
        orders.removeIf(order -> order.getEventTimestamp().isAfter(now));
        orders.sort(Comparator.comparing(Order::getEventTimestamp));
        return orders;
    }

    /** The next live event at {@code now}: a click, or an order when a visitor checks out. */
    public void next(Instant now, Consumer<SpecificRecord> emit) {
        int user = pickUser();
        Visitor visitor = visitor(user);
        boolean newSession = visitor.session == null || Duration.between(visitor.lastSeen, now).toMinutes() >= 30
                || random.nextInt(40) == 0;
        if (newSession) {
            visitor.session = "s-" + Long.toHexString(random.nextLong());
            visitor.favourite = random.nextInt(CATEGORIES.length);
        }
        visitor.lastSeen = now;
        int roll = random.nextInt(100);
        if (roll < 25) {
            emit.accept(click(user, visitor, ClickEventType.PAGE_VIEW, now).setPageType(random.nextBoolean() ? "home" : "category")
                    .setCategory(category(visitor)).build());
        } else if (roll < 60) {
            String category = category(visitor);
            emit.accept(click(user, visitor, ClickEventType.PRODUCT_VIEW, now).setPageType("product").setCategory(category)
                    .setProductId(product(category)).setPrice(price()).setCurrency("EUR")
                    .setDwellMs(random.nextInt(3) == 0 ? (long) random.nextInt(120_000) : null).build());
        } else if (roll < 65) {
            emit.accept(click(user, visitor, ClickEventType.SEARCH, now).setPageType("search")
                    .setSearchQuery(CATEGORIES[visitor.favourite].replace('.', ' ')).build());
        } else if (roll < 80) {
            String category = category(visitor);
            String product = product(category);
            int quantity = 1 + (random.nextInt(5) == 0 ? 1 : 0);
            BigDecimal price = visitor.prices.computeIfAbsent(product, p -> price());
            visitor.cart.merge(product, quantity, Integer::sum);
            visitor.categories.put(product, category);
            emit.accept(click(user, visitor, ClickEventType.ADD_TO_CART, now).setPageType("product").setCategory(category)
                    .setProductId(product).setQuantity(quantity).setPrice(price).setCurrency("EUR").build());
        } else if (roll < 84 && !visitor.cart.isEmpty()) {
            String product = visitor.cart.keySet().iterator().next();
            int quantity = visitor.cart.remove(product);
            emit.accept(click(user, visitor, ClickEventType.REMOVE_FROM_CART, now).setPageType("cart").setProductId(product)
                    .setQuantity(quantity).build());
        } else if (roll < 91 && !visitor.cart.isEmpty()) {
            emit.accept(click(user, visitor, ClickEventType.CHECKOUT_START, now).setPageType("checkout").build());
        } else if (roll < 97 && !visitor.cart.isEmpty() && !anonymous(user)) {
            List<LineItem> lines = new ArrayList<>();
            visitor.cart.forEach((product, quantity) -> lines.add(LineItem.newBuilder().setProductId(product)
                    .setCategory(visitor.categories.get(product)).setQuantity(quantity)
                    .setUnitPrice(visitor.prices.get(product)).build()));
            visitor.cart.clear();
            Order order = order(user, lines, now, OrderType.PURCHASE);
            visitor.orders.add(order);
            emit.accept(order);
            visitor.session = null;
        } else if (roll < 98 && !visitor.orders.isEmpty()) {
            emit.accept(refund(visitor.orders.remove(0), now));
        } else {
            // Goes quiet: the session (and any cart) is left behind.
            visitor.session = null;
        }
    }

    private ClickEvent.Builder click(int user, Visitor visitor, ClickEventType type, Instant at) {
        ClickEvent.Builder builder = ClickEvent.newBuilder().setEventId("ev-" + (++sequence)).setType(type)
                .setSessionId(visitor.session).setDevice(DEVICES[user % DEVICES.length]).setEventTimestamp(at)
                .setScrollDepth(random.nextInt(101));
        // One visitor in five is not logged in: a profile under the anonymous id.
        return anonymous(user) ? builder.setAnonymousId("anon-" + user) : builder.setUserId(userId(user));
    }

    private static boolean anonymous(int user) {
        return user % 5 == 4;
    }

    private Order order(int user, List<LineItem> lines, Instant at, OrderType type) {
        BigDecimal total = BigDecimal.ZERO;
        for (LineItem line : lines) {
            total = total.add(line.getUnitPrice().multiply(BigDecimal.valueOf(line.getQuantity())));
        }
        return Order.newBuilder().setOrderId("o-" + (++sequence)).setUserId(userId(user)).setType(type).setLines(lines)
                .setTotal(total.setScale(4, RoundingMode.HALF_EVEN)).setCurrency("EUR").setEventTimestamp(at).build();
    }

    private Order refund(Order purchase, Instant at) {
        List<LineItem> lines = purchase.getLines().stream().map(line -> LineItem.newBuilder(line)
                .setQuantity(-line.getQuantity()).build()).toList();
        return Order.newBuilder(purchase).setOrderId("r-" + purchase.getOrderId()).setType(OrderType.REFUND).setLines(lines)
                .setTotal(purchase.getTotal().negate()).setEventTimestamp(at).build();
    }

    private List<LineItem> randomLines() {
        List<LineItem> lines = new ArrayList<>();
        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
            String category = CATEGORIES[random.nextInt(CATEGORIES.length)];
            lines.add(LineItem.newBuilder().setProductId(product(category)).setCategory(category)
                    .setQuantity(1 + random.nextInt(3)).setUnitPrice(price()).build());
        }
        return lines;
    }

    private int pickUser() {
        double r = random.nextDouble();
        int low = 0;
        int high = users - 1;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (cumulativeWeight[mid] < r) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private Visitor visitor(int user) {
        return visitors.computeIfAbsent(user, u -> new Visitor());
    }

    private String category(Visitor visitor) {
        return random.nextInt(3) == 0 ? CATEGORIES[random.nextInt(CATEGORIES.length)] : CATEGORIES[visitor.favourite];
    }

    private String product(String category) {
        return category.substring(category.indexOf('.') + 1) + "-" + (100 + random.nextInt(40));
    }

    private BigDecimal price() {
        return BigDecimal.valueOf(299 + random.nextInt(25_000), 2).setScale(4, RoundingMode.HALF_EVEN);
    }

    /** "u" and the user's number in five digits or more, as %05d would write it (without a Formatter per event). */
    private static String userId(int user) {
        String digits = Integer.toString(user);
        return digits.length() >= 5 ? "u" + digits : "u" + "0".repeat(5 - digits.length()) + digits;
    }
}
