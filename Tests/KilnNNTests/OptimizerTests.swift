import Foundation
@testable import KilnNN
import KilnTensor
import XCTest

/// Optimizers against Keras 3: one and three steps of each optimizer and option on the same
/// weights and gradients (Fixtures/optimizers, made by generate.py in the reference venv).
final class OptimizerTests: XCTestCase {
    struct Fixture: Decodable {
        var shapes: [[Int]]
        var weights: [[Float]]
        var gradients: [[[Float]]]
        var cases: [Case]
    }

    struct Case: Decodable {
        var name: String
        var optimizer: String
        var args: [String: Argument]
        var schedule: Schedule?
        var learning_rates: [Float]
        var after_1: [[Float]]
        var after_3: [[Float]]
    }

    struct Schedule: Decodable {
        var `class`: String
        var args: [String: Argument]
    }

    /// A JSON number or boolean.
    enum Argument: Decodable {
        case number(Double), bool(Bool)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b) } else { self = .number(try c.decode(Double.self)) }
        }
        var double: Double { if case .number(let d) = self { return d }; return 0 }
        var bool: Bool { if case .bool(let b) = self { return b }; return false }
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/optimizers/optimizers.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static func schedule(_ s: Schedule?) throws -> LearningRateSchedule? {
        guard let s else { return nil }
        let a = s.args
        switch s.class {
        case "ExponentialDecay":
            return try ExponentialDecay(initialLearningRate: a["initial_learning_rate"]!.double, decaySteps: Int(a["decay_steps"]!.double),
                                        decayRate: a["decay_rate"]!.double, staircase: a["staircase"]?.bool ?? false)
        case "CosineDecay":
            return try CosineDecay(initialLearningRate: a["initial_learning_rate"]!.double, decaySteps: Int(a["decay_steps"]!.double),
                                   alpha: a["alpha"]?.double ?? 0, warmupTarget: a["warmup_target"]?.double,
                                   warmupSteps: Int(a["warmup_steps"]?.double ?? 0))
        default:
            throw LayerError("unknown schedule \(s.class)")
        }
    }

    /// The optimizer a case describes, built with Keras' defaults for the arguments it omits.
    static func optimizer(_ c: Case) throws -> Optimizer {
        let a = c.args, b = Backend()
        func f(_ k: String) -> Float? { a[k].map { Float($0.double) } }
        func d(_ k: String) -> Double? { a[k]?.double }
        let schedule = try schedule(c.schedule)
        switch c.optimizer {
        case "SGD":
            return try SGD(learningRate: f("learning_rate") ?? 0.01, schedule: schedule, momentum: f("momentum") ?? 0,
                           nesterov: a["nesterov"]?.bool ?? false, weightDecay: f("weight_decay"), clipnorm: f("clipnorm"),
                           clipvalue: f("clipvalue"), globalClipnorm: f("global_clipnorm"), backend: b)
        case "RMSprop":
            return try RMSprop(learningRate: f("learning_rate") ?? 0.001, schedule: schedule, rho: d("rho") ?? 0.9,
                               momentum: f("momentum") ?? 0, epsilon: f("epsilon") ?? 1e-7, centered: a["centered"]?.bool ?? false,
                               weightDecay: f("weight_decay"), clipnorm: f("clipnorm"), clipvalue: f("clipvalue"),
                               globalClipnorm: f("global_clipnorm"), backend: b)
        case "Adam":
            return try Adam(learningRate: f("learning_rate") ?? 0.001, schedule: schedule, beta1: d("beta_1") ?? 0.9,
                            beta2: d("beta_2") ?? 0.999, epsilon: f("epsilon") ?? 1e-7, amsgrad: a["amsgrad"]?.bool ?? false,
                            weightDecay: f("weight_decay"), clipnorm: f("clipnorm"), clipvalue: f("clipvalue"),
                            globalClipnorm: f("global_clipnorm"), backend: b)
        case "AdamW":
            return try AdamW(learningRate: f("learning_rate") ?? 0.001, schedule: schedule, weightDecay: f("weight_decay") ?? 0.004,
                             beta1: d("beta_1") ?? 0.9, beta2: d("beta_2") ?? 0.999, epsilon: f("epsilon") ?? 1e-7,
                             amsgrad: a["amsgrad"]?.bool ?? false, clipnorm: f("clipnorm"), clipvalue: f("clipvalue"),
                             globalClipnorm: f("global_clipnorm"), backend: b)
        default:
            throw LayerError("unknown optimizer \(c.optimizer)")
        }
    }

    static func close(_ a: Float, _ b: Float) -> Bool { abs(a - b) <= 1e-6 + 1e-6 * abs(b) }

    /// Runs one fixture case: the learning rate before each step and the weights after steps 1 and 3.
    func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let fx = OptimizerTests.fixture
        let c = try XCTUnwrap(fx.cases.first { $0.name == name }, "no fixture case \(name)", file: file, line: line)
        let opt = try OptimizerTests.optimizer(c)
        let weights = try zip(fx.shapes, fx.weights).enumerated().map { i, sv in
            Weight(name: "w\(i)", value: try Tensor(shape: sv.0, values: sv.1), trainable: true)
        }
        for step in 0..<3 {
            let lr = opt.currentLearningRate()
            XCTAssertTrue(OptimizerTests.close(lr, c.learning_rates[step]), "\(name) step \(step): lr \(lr) != \(c.learning_rates[step])", file: file, line: line)
            let grads = try zip(fx.shapes, fx.gradients[step]).map { try Tensor(shape: $0.0, values: $0.1) }
            try opt.apply(grads, to: weights)
            guard step == 0 || step == 2 else { continue }
            let expected = step == 0 ? c.after_1 : c.after_3
            for (w, e) in zip(weights, expected) {
                for (i, (got, want)) in zip(w.value.scalars, e).enumerated() where !OptimizerTests.close(got, want) {
                    XCTFail("\(name) after \(step + 1) step(s): \(w.name)[\(i)] = \(got), Keras gives \(want)", file: file, line: line)
                }
            }
        }
        XCTAssertEqual(opt.iterations, 3, file: file, line: line)
    }

    func testEveryFixtureCaseHasATest() {
        let tested: Set<String> = [
            "sgd", "sgd_lr", "sgd_momentum", "sgd_nesterov", "sgd_weight_decay", "sgd_clipnorm", "sgd_clipvalue",
            "sgd_global_clipnorm", "sgd_exponential_decay", "sgd_exponential_staircase",
            "rmsprop", "rmsprop_lr_rho", "rmsprop_momentum", "rmsprop_centered", "rmsprop_centered_momentum", "rmsprop_clipnorm",
            "adam", "adam_options", "adam_amsgrad", "adam_clipvalue", "adam_global_clipnorm", "adam_cosine_decay", "adam_cosine_warmup",
            "adamw", "adamw_options", "adamw_clipnorm_schedule",
        ]
        XCTAssertEqual(Set(OptimizerTests.fixture.cases.map(\.name)), tested)
    }

    func testSGD() throws { try check("sgd") }
    func testSGDLearningRate() throws { try check("sgd_lr") }
    func testSGDMomentum() throws { try check("sgd_momentum") }
    func testSGDNesterov() throws { try check("sgd_nesterov") }
    func testSGDWeightDecay() throws { try check("sgd_weight_decay") }
    func testSGDClipnorm() throws { try check("sgd_clipnorm") }
    func testSGDClipvalue() throws { try check("sgd_clipvalue") }
    func testSGDGlobalClipnorm() throws { try check("sgd_global_clipnorm") }
    func testSGDExponentialDecay() throws { try check("sgd_exponential_decay") }
    func testSGDExponentialDecayStaircaseWithMomentum() throws { try check("sgd_exponential_staircase") }
    func testRMSprop() throws { try check("rmsprop") }
    func testRMSpropLearningRateAndRho() throws { try check("rmsprop_lr_rho") }
    func testRMSpropMomentum() throws { try check("rmsprop_momentum") }
    func testRMSpropCentered() throws { try check("rmsprop_centered") }
    func testRMSpropCenteredMomentumEpsilon() throws { try check("rmsprop_centered_momentum") }
    func testRMSpropClipnorm() throws { try check("rmsprop_clipnorm") }
    func testAdam() throws { try check("adam") }
    func testAdamBetasAndEpsilon() throws { try check("adam_options") }
    func testAdamAmsgrad() throws { try check("adam_amsgrad") }
    func testAdamClipvalue() throws { try check("adam_clipvalue") }
    func testAdamGlobalClipnorm() throws { try check("adam_global_clipnorm") }
    func testAdamCosineDecay() throws { try check("adam_cosine_decay") }
    func testAdamCosineDecayWarmup() throws { try check("adam_cosine_warmup") }
    func testAdamW() throws { try check("adamw") }
    func testAdamWDecayAndAmsgrad() throws { try check("adamw_options") }
    func testAdamWClipnormAndSchedule() throws { try check("adamw_clipnorm_schedule") }

    func testShapeMismatchNamesBothShapes() throws {
        let opt = try SGD(backend: Backend())
        let w = Weight(name: "kernel", value: Tensor(shape: [2, 2]), trainable: true)
        XCTAssertThrowsError(try opt.apply([Tensor(shape: [3])], to: [w])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("(3,)") && message.contains("(2, 2)"), message)
        }
        XCTAssertEqual(opt.iterations, 0)
    }

    func testOnlyOneClippingOption() {
        XCTAssertThrowsError(try SGD(clipnorm: 1, clipvalue: 1, backend: Backend())) { error in
            XCTAssertTrue("\(error)".hasPrefix("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set."), "\(error)")
        }
    }

    func testScheduledLearningRateIsNotSettable() throws {
        let opt = try Adam(schedule: try ExponentialDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9), backend: Backend())
        XCTAssertThrowsError(try opt.setLearningRate(0.5)) { error in
            XCTAssertEqual((error as? LayerError)?.type, "TypeError")
        }
        let plain = try Adam(backend: Backend())
        try plain.setLearningRate(0.5)
        XCTAssertEqual(plain.currentLearningRate(), 0.5)
    }

    func testAutomaticNamesFollowKeras() throws {
        let b = Backend()
        XCTAssertEqual(try Adam(backend: b).name, "adam")
        XCTAssertEqual(try Adam(backend: b).name, "adam_1")
        XCTAssertEqual(try RMSprop(backend: b).name, "rm_sprop")
        XCTAssertEqual(try AdamW(backend: b).name, "adamw")
    }
}
